package dev.gatehouse.proxy.observe.accesslog;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Set;

/** Formats entries as single-line JSON objects, fields in {@link AccessLogField} order. Writer thread only. */
final class AccessLogFormatter {
    private final boolean[] on = new boolean[AccessLogField.values().length];
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedPrefix;

    AccessLogFormatter(Set<AccessLogField> fields) {
        for (AccessLogField f : fields) {
            on[f.ordinal()] = true;
        }
    }

    void format(AccessLogEntry e, StringBuilder sb) {
        sb.append('{');
        int start = sb.length();
        if (on(AccessLogField.TIME)) {
            field(sb, start, "time").append('"');
            time(sb, e.epochMillis());
            sb.append('"');
        }
        string(sb, start, AccessLogField.REQUEST_ID, e.requestId());
        string(sb, start, AccessLogField.TRACE_ID, e.traceId());
        if (on(AccessLogField.CLIENT)) {
            field(sb, start, "client").append('"');
            escape(sb, e.client());
            sb.append(':').append(e.clientPort()).append('"');
        }
        string(sb, start, AccessLogField.METHOD, e.method());
        string(sb, start, AccessLogField.HOST, e.host());
        string(sb, start, AccessLogField.PATH, e.path());
        string(sb, start, AccessLogField.PROTOCOL, e.protocol());
        string(sb, start, AccessLogField.ROUTE, e.route() == null ? null
                : e.route().ref().qualifiedName() + '#' + e.route().ref().ruleIndex());
        string(sb, start, AccessLogField.BACKEND, e.backend() == null ? null
                : e.backend().cluster() == null ? "invalid" : e.backend().cluster().name());
        InetSocketAddress ep = e.endpoint();
        string(sb, start, AccessLogField.ENDPOINT, ep == null ? null : ep.getAddress().getHostAddress() + ":" + ep.getPort());
        number(sb, start, AccessLogField.STATUS, e.status());
        number(sb, start, AccessLogField.BYTES_IN, e.bytesIn());
        number(sb, start, AccessLogField.BYTES_OUT, e.bytesOut());
        millis(sb, start, AccessLogField.DURATION_MS, e.durationNanos());
        millis(sb, start, AccessLogField.UPSTREAM_MS, e.upstreamNanos());
        millis(sb, start, AccessLogField.GATEWAY_MS, e.gatewayNanos());
        string(sb, start, AccessLogField.FAILURE, e.failure());
        string(sb, start, AccessLogField.AUTH, e.auth());
        string(sb, start, AccessLogField.RATE_LIMIT, e.rateLimit());
        sb.append("}\n");
    }

    /**
     * ISO-8601 UTC with milliseconds, e.g. 2026-11-26T08:30:00.123Z. The part up to the second is formatted
     * once per second: at thousands of lines a second, Instant.toString per line is the formatter's main cost.
     */
    private void time(StringBuilder sb, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != cachedSecond) {
            String full = Instant.ofEpochSecond(second).toString(); // "...:SSZ"
            cachedPrefix = full.substring(0, full.length() - 1);
            cachedSecond = second;
        }
        int ms = (int) Math.floorMod(epochMillis, 1000);
        sb.append(cachedPrefix).append('.');
        if (ms < 100) {
            sb.append('0');
        }
        if (ms < 10) {
            sb.append('0');
        }
        sb.append(ms).append('Z');
    }

    private boolean on(AccessLogField f) {
        return on[f.ordinal()];
    }

    private static StringBuilder field(StringBuilder sb, int start, String key) {
        if (sb.length() > start) {
            sb.append(',');
        }
        return sb.append('"').append(key).append("\":");
    }

    /** Absent values are written as null so every line has the same keys. */
    private void string(StringBuilder sb, int start, AccessLogField f, String value) {
        if (!on(f)) {
            return;
        }
        field(sb, start, f.key());
        if (value == null) {
            sb.append("null");
        } else {
            sb.append('"');
            escape(sb, value);
            sb.append('"');
        }
    }

    private void number(StringBuilder sb, int start, AccessLogField f, long value) {
        if (on(f)) {
            field(sb, start, f.key()).append(value);
        }
    }

    /** Milliseconds with microsecond precision. */
    private void millis(StringBuilder sb, int start, AccessLogField f, long nanos) {
        if (on(f)) {
            long micros = nanos / 1000;
            field(sb, start, f.key()).append(micros / 1000).append('.');
            long frac = micros % 1000;
            if (frac < 100) {
                sb.append('0');
            }
            if (frac < 10) {
                sb.append('0');
            }
            sb.append(frac);
        }
    }

    /** JSON string escaping; paths and hosts come from clients, so control characters are escaped too. */
    static void escape(StringBuilder sb, String s) {
        int clean = 0;
        while (clean < s.length()) {
            char c = s.charAt(clean);
            if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) {
                break;
            }
            clean++;
        }
        sb.append(s, 0, clean); // the common case: nothing to escape, one bulk copy
        for (int i = clean; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
