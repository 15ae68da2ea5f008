package dev.gatehouse.proxy.observe.accesslog;

import dev.gatehouse.proxy.observe.L4Log;
import dev.gatehouse.proxy.observe.RequestLog;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.Route;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Formats requests as single-line JSON objects, fields in {@link AccessLogField} order, straight into bytes.
 * Everything that is the same from line to line is prepared once: the {@code "key":} prefixes, the time up
 * to the second, endpoint addresses, route and backend names. One per event loop: its caches are unsynchronized.
 */
final class AccessLogFormatter {
    /** Endpoints are few (the config's); clients could be many, so they are formatted, not cached. */
    private static final int ENDPOINT_CACHE_LIMIT = 4096;
    private static final int NAME_CACHE_LIMIT = 1024;
    private final boolean[] on = new boolean[AccessLogField.values().length];
    /** {@code "key":}, and the same with a leading comma, per field. */
    private final byte[][] first = new byte[AccessLogField.values().length][];
    private final byte[][] next = new byte[AccessLogField.values().length][];
    private static final byte[] INVALID = "\"invalid\"".getBytes(StandardCharsets.US_ASCII);
    private final Map<InetSocketAddress, byte[]> endpoints = new HashMap<>();
    /**
     * Route labels and cluster names as quoted JSON, by the (immutable) route or cluster they belong to. Keys
     * of old snapshots stay until the limit clears the map, so it is kept small.
     */
    private final Map<Object, byte[]> names = new IdentityHashMap<>();
    private long cachedSecond = Long.MIN_VALUE;
    private byte[] cachedPrefix;
    private boolean any;

    AccessLogFormatter(Set<AccessLogField> fields) {
        for (AccessLogField f : fields) {
            on[f.ordinal()] = true;
        }
        for (AccessLogField f : AccessLogField.values()) {
            first[f.ordinal()] = ("\"" + f.key() + "\":").getBytes(StandardCharsets.US_ASCII);
            next[f.ordinal()] = (",\"" + f.key() + "\":").getBytes(StandardCharsets.US_ASCII);
        }
    }

    void format(RequestLog e, JsonLineBuffer out) {
        out.raw((byte) '{');
        any = false;
        timeField(out, e.startEpochMillis());
        string(out, AccessLogField.REQUEST_ID, e.requestId());
        string(out, AccessLogField.TRACE_ID, e.traceId());
        clientField(out, e.remote());
        string(out, AccessLogField.METHOD, e.method());
        string(out, AccessLogField.HOST, e.host());
        string(out, AccessLogField.PATH, e.path());
        string(out, AccessLogField.PROTOCOL, e.protocol());
        if (key(out, AccessLogField.ROUTE)) {
            Route route = e.route();
            if (route == null) {
                out.nullValue();
            } else {
                out.raw(quoted(route, route.label()));
            }
        }
        if (key(out, AccessLogField.BACKEND)) {
            Backend backend = e.backend();
            if (backend == null) {
                out.nullValue();
            } else if (backend.cluster() == null) {
                out.raw(INVALID);
            } else {
                out.raw(quoted(backend.cluster(), backend.cluster().name()));
            }
        }
        endpointField(out, e.endpoint());
        number(out, AccessLogField.STATUS, e.status());
        number(out, AccessLogField.BYTES_IN, e.requestBytes());
        number(out, AccessLogField.BYTES_OUT, e.responseBytes());
        millis(out, AccessLogField.DURATION_MS, e.durationNanos());
        millis(out, AccessLogField.UPSTREAM_MS, e.upstreamNanos());
        millis(out, AccessLogField.GATEWAY_MS, e.gatewayNanos());
        string(out, AccessLogField.FAILURE, e.failure());
        string(out, AccessLogField.AUTH, e.authOutcome() == null ? null : e.authOutcome().label());
        string(out, AccessLogField.RATE_LIMIT, e.rateLimitOutcome() == null ? null : e.rateLimitOutcome().label());
        string(out, AccessLogField.CONSUMER, e.consumer());
        if (e.retries() > 0) {
            number(out, AccessLogField.RETRIES, e.retries());
        }
        out.raw((byte) '}').raw((byte) '\n');
    }

    /**
     * One L4 connection or UDP session: the request fields that apply (time, client, protocol, host = SNI name,
     * route rule, backend, endpoint, bytes, duration, failure when it did not reach its backend) and close.
     */
    void format(L4Log e, JsonLineBuffer out) {
        out.raw((byte) '{');
        any = false;
        timeField(out, e.startEpochMillis());
        clientField(out, e.client());
        string(out, AccessLogField.HOST, e.serverName());
        string(out, AccessLogField.PROTOCOL, e.protocol());
        if (key(out, AccessLogField.ROUTE)) {
            if (e.route() == null) {
                out.nullValue();
            } else {
                out.raw(quoted(e.route(), e.route().ruleLabel()));
            }
        }
        string(out, AccessLogField.BACKEND, e.backend());
        endpointField(out, e.endpoint());
        number(out, AccessLogField.BYTES_IN, e.bytesIn());
        number(out, AccessLogField.BYTES_OUT, e.bytesOut());
        millis(out, AccessLogField.DURATION_MS, e.endNanos() - e.startNanos());
        L4Log.CloseReason reason = e.closeReason();
        boolean failed = reason == L4Log.CloseReason.NO_ROUTE || reason == L4Log.CloseReason.BACKEND_UNREACHABLE
                || reason == L4Log.CloseReason.ERROR;
        string(out, AccessLogField.FAILURE, failed ? reason.label() : null);
        string(out, AccessLogField.CLOSE, reason == null ? null : reason.label());
        out.raw((byte) '}').raw((byte) '\n');
    }

    private void timeField(JsonLineBuffer out, long epochMillis) {
        if (key(out, AccessLogField.TIME)) {
            out.raw((byte) '"');
            time(out, epochMillis);
            out.raw((byte) '"');
        }
    }

    /** Clients could be many: formatted each time, never cached. */
    private void clientField(JsonLineBuffer out, InetSocketAddress client) {
        if (key(out, AccessLogField.CLIENT)) {
            if (client == null) {
                out.nullValue();
            } else {
                socketAddress(out, client);
            }
        }
    }

    private void endpointField(JsonLineBuffer out, InetSocketAddress endpoint) {
        if (key(out, AccessLogField.ENDPOINT)) {
            if (endpoint == null) {
                out.nullValue();
            } else {
                out.raw(endpoint(endpoint));
            }
        }
    }

    /** Writes the field's key (and the comma before it) when the field is on. */
    private boolean key(JsonLineBuffer out, AccessLogField f) {
        int i = f.ordinal();
        if (!on[i]) {
            return false;
        }
        out.raw(any ? next[i] : first[i]);
        any = true;
        return true;
    }

    /**
     * ISO-8601 UTC with milliseconds, e.g. 2026-11-26T08:30:00.123Z. The part up to the second is formatted
     * once per second: at thousands of lines a second, Instant.toString per line would be the main cost.
     */
    private void time(JsonLineBuffer out, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != cachedSecond) {
            String full = Instant.ofEpochSecond(second).toString(); // "...:SSZ"
            cachedPrefix = (full.substring(0, full.length() - 1) + '.').getBytes(StandardCharsets.US_ASCII);
            cachedSecond = second;
        }
        out.raw(cachedPrefix).padded(Math.floorMod(epochMillis, 1000), 3).raw((byte) 'Z');
    }

    /** Absent values are written as null so every line has the same keys. */
    private void string(JsonLineBuffer out, AccessLogField f, CharSequence value) {
        if (key(out, f)) {
            out.string(value);
        }
    }

    private void number(JsonLineBuffer out, AccessLogField f, long value) {
        if (key(out, f)) {
            out.number(value);
        }
    }

    /** Milliseconds with microsecond precision. */
    private void millis(JsonLineBuffer out, AccessLogField f, long nanos) {
        if (key(out, f)) {
            long micros = nanos / 1000;
            if (micros < 0) {
                out.raw((byte) '-');
                micros = -micros;
            }
            out.number(micros / 1000).raw((byte) '.').padded(micros % 1000, 3);
        }
    }

    private byte[] quoted(Object owner, String name) {
        byte[] b = names.get(owner);
        if (b == null) {
            if (names.size() >= NAME_CACHE_LIMIT) {
                names.clear();
            }
            b = new JsonLineBuffer(name.length() + 8).string(name).toByteArray();
            names.put(owner, b);
        }
        return b;
    }

    private byte[] endpoint(InetSocketAddress ep) {
        byte[] b = endpoints.get(ep);
        if (b == null) {
            if (endpoints.size() >= ENDPOINT_CACHE_LIMIT) {
                endpoints.clear();
            }
            JsonLineBuffer t = new JsonLineBuffer(64);
            socketAddress(t, ep);
            b = t.toByteArray();
            endpoints.put(ep, b);
        }
        return b;
    }

    /** {@code "address:port"}, quoted. */
    private static void socketAddress(JsonLineBuffer out, InetSocketAddress a) {
        out.raw((byte) '"');
        address(out, a.getAddress());
        out.raw((byte) ':').number(a.getPort()).raw((byte) '"');
    }

    /** IPv4 without a String per line; IPv6 through the JDK's formatter. */
    private static void address(JsonLineBuffer out, InetAddress a) {
        if (a instanceof Inet4Address v4) {
            byte[] b = v4.getAddress();
            out.number(b[0] & 0xff).raw((byte) '.').number(b[1] & 0xff).raw((byte) '.')
                    .number(b[2] & 0xff).raw((byte) '.').number(b[3] & 0xff);
        } else if (a != null) {
            out.escaped(a.getHostAddress());
        }
    }
}
