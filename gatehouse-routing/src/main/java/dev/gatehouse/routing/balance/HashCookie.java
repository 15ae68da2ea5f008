package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.LoadBalancerSpec;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hash cookie of {@code consistentHash.cookie}: its name, and the {@code Set-Cookie} the response carries when
 * the request had none and the balancer generated a value. The attribute part is built once, here.
 */
public final class HashCookie {
    private final String name;
    private final String attributes;

    private HashCookie(String name, String attributes) {
        this.name = name;
        this.attributes = attributes;
    }

    /** @throws IllegalArgumentException naming the cluster for a name or attribute a cookie header cannot carry */
    static HashCookie compile(String cluster, LoadBalancerSpec.CookieSpec spec) {
        if (spec == null || spec.name() == null || !token(spec.name())) {
            throw new IllegalArgumentException("cluster " + cluster + ": consistentHash.cookie.name '"
                    + (spec == null ? null : spec.name()) + "' is not a cookie name (an HTTP token)");
        }
        StringBuilder sb = new StringBuilder();
        Duration ttl = spec.ttl();
        if (ttl != null) {
            sb.append("; Max-Age=").append(Math.max(0, ttl.toSeconds()));
        }
        for (Map.Entry<String, String> a : new TreeMap<>(spec.attributes()).entrySet()) {
            String value = a.getValue() == null ? "" : a.getValue();
            if (!token(a.getKey()) || value.chars().anyMatch(c -> c == ';' || c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("cluster " + cluster + ": consistentHash.cookie.attributes "
                        + a.getKey() + "='" + value + "' cannot be written in a Set-Cookie header");
            }
            sb.append("; ").append(a.getKey());
            if (!value.isEmpty()) {
                sb.append('=').append(value);
            }
        }
        return new HashCookie(spec.name(), sb.toString());
    }

    private static boolean token(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    public String name() {
        return name;
    }

    /** The {@code Set-Cookie} value for a generated {@code value}. */
    public String setCookie(String value) {
        return name + '=' + value + attributes;
    }
}
