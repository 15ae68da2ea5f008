package dev.gatehouse.proxy.observe.accesslog;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The fields a line may carry, named as they appear in the JSON (and in {@code --access-log-fields}). A line of an
 * L4 connection or UDP session carries those that apply to it (protocol "tcp", "tls" or "udp", host = the SNI
 * name) and {@link #CLOSE}; a request's line never carries {@link #CLOSE}.
 */
public enum AccessLogField {
    TIME, REQUEST_ID, TRACE_ID, CLIENT, METHOD, HOST, PATH, PROTOCOL, ROUTE, BACKEND, ENDPOINT, STATUS,
    BYTES_IN, BYTES_OUT, DURATION_MS, UPSTREAM_MS, GATEWAY_MS, FAILURE, AUTH, RATE_LIMIT,
    /** the consumer a SecurityPolicy authenticated (API key client id, basic-auth user, anonymous consumer) */
    CONSUMER,
    /** retries of the request (its rule's retry policy); only on lines of retried requests */
    RETRIES,
    /** why an L4 connection or UDP session ended; on those lines only */
    CLOSE;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param spec comma-separated keys, or {@code null}/"all" for every field
     * @throws IllegalArgumentException naming an unknown field and the known ones
     */
    public static Set<AccessLogField> parse(String spec) {
        if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("all")) {
            return EnumSet.allOf(AccessLogField.class);
        }
        Set<AccessLogField> fields = EnumSet.noneOf(AccessLogField.class);
        for (String part : spec.split(",")) {
            String key = part.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            if (key.isEmpty()) {
                continue;
            }
            try {
                fields.add(valueOf(key));
            } catch (IllegalArgumentException e) {
                StringBuilder known = new StringBuilder();
                for (AccessLogField f : values()) {
                    known.append(known.length() == 0 ? "" : ",").append(f.key());
                }
                throw new IllegalArgumentException("unknown access log field '" + part.trim() + "' (known: " + known + ")");
            }
        }
        return fields;
    }
}
