package dev.gatehouse.routing.ratelimit;

import com.google.re2j.Pattern;
import dev.gatehouse.ir.RateLimitSpec;
import dev.gatehouse.routing.filter.HttpExchange;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * A rule's client selectors, compiled once per snapshot: {@link #key} says whether a request counts in the rule
 * and, for {@code Distinct} selectors, under which value.
 */
final class RuleMatcher {
    /** A request the rule does not apply to. */
    static final String NO_MATCH = null;

    private record Value(String name, RateLimitSpec.MatchType type, String value, Pattern regex, boolean invert) {
        static Value of(RateLimitSpec.ValueMatch m) {
            return new Value(m.name(), m.type(), m.value(),
                    m.type() == RateLimitSpec.MatchType.REGULAR_EXPRESSION ? Pattern.compile(m.value()) : null,
                    m.invert());
        }

        /** @return NO_MATCH, "" (matched, no distinct value) or the distinct value */
        String test(String actual) {
            if (type == RateLimitSpec.MatchType.DISTINCT) {
                return actual; // absent: the rule does not apply, as Envoy skips a descriptor it cannot fill
            }
            boolean hit = actual != null && switch (type) {
                case EXACT -> actual.equals(value);
                case PATH_PREFIX -> actual.startsWith(value) && (value.endsWith("/") || actual.length() == value.length()
                        || actual.charAt(value.length()) == '/');
                case REGULAR_EXPRESSION -> regex.matches(actual);
                default -> false;
            };
            return hit != invert ? "" : NO_MATCH;
        }
    }

    private final List<Value> headers;
    private final List<Value> queryParams;
    private final List<RateLimitSpec.MethodMatch> methods;
    private final Value path;
    private final Value consumer;
    private final byte[] network;
    private final int prefix;
    private final boolean cidrDistinct;
    private final boolean cidrInvert;

    RuleMatcher(RateLimitSpec.Rule rule) {
        this.headers = rule.headers().stream().map(Value::of).toList();
        this.queryParams = rule.queryParams().stream().map(Value::of).toList();
        this.methods = rule.methods();
        this.path = rule.path() == null ? null : Value.of(rule.path());
        this.consumer = rule.consumer() == null ? null : Value.of(rule.consumer());
        RateLimitSpec.CidrMatch cidr = rule.sourceCidr();
        if (cidr != null) {
            String[] parts = cidr.cidr().split("/", 2);
            this.network = NetUtil.createByteArrayFromIpAddressString(parts[0]);
            this.prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : network.length * 8;
            if (network == null) {
                throw new IllegalArgumentException("sourceCIDR " + cidr.cidr() + " is not an address/prefix");
            }
        } else {
            this.network = null;
            this.prefix = 0;
        }
        this.cidrDistinct = cidr != null && cidr.distinct();
        this.cidrInvert = cidr != null && cidr.invert();
    }

    /** @return {@link #NO_MATCH}, or the request's Distinct values joined ("" when the rule has none) */
    String key(HttpExchange ex) {
        StringBuilder key = null;
        for (Value h : headers) {
            String v = h.test(ex.request().headers().get(h.name()));
            if (v == NO_MATCH) {
                return NO_MATCH;
            }
            key = append(key, v);
        }
        if (!methods.isEmpty() && !methodMatches(ex.request().method().name())) {
            return NO_MATCH;
        }
        if (path != null && path.test(ex.path()) == NO_MATCH) {
            return NO_MATCH;
        }
        if (!queryParams.isEmpty()) {
            Map<String, List<String>> params = new QueryStringDecoder(ex.query() == null ? "" : ex.query(), false)
                    .parameters();
            for (Value q : queryParams) {
                List<String> values = params.get(q.name());
                String v = q.test(values == null || values.isEmpty() ? null : values.get(0));
                if (v == NO_MATCH) {
                    return NO_MATCH;
                }
                key = append(key, v);
            }
        }
        if (consumer != null) {
            // the SecurityPolicy's filters ran before this one (RouteCompiler's order), so this is the
            // authenticated consumer, never a client's claim
            String v = consumer.test(ex.consumer());
            if (v == NO_MATCH) {
                return NO_MATCH;
            }
            key = append(key, v);
        }
        if (network != null) {
            InetAddress client = ex.remoteAddress() == null ? null : ex.remoteAddress().getAddress();
            if (client == null || inNetwork(client.getAddress()) == cidrInvert) {
                return NO_MATCH;
            }
            if (cidrDistinct) {
                key = append(key, client.getHostAddress());
            }
        }
        return key == null ? "" : key.toString();
    }

    private boolean methodMatches(String method) {
        for (RateLimitSpec.MethodMatch m : methods) {
            if (m.method().equals(method) != m.invert()) {
                return true;
            }
        }
        return false;
    }

    private boolean inNetwork(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int bits = prefix;
        for (int i = 0; bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((address[i] & mask) != (network[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static StringBuilder append(StringBuilder key, String value) {
        if (value.isEmpty()) {
            return key;
        }
        StringBuilder k = key == null ? new StringBuilder() : key.append('\u001f');
        return k.append(value);
    }
}
