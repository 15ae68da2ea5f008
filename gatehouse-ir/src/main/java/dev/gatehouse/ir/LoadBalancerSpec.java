package dev.gatehouse.ir;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code BackendTrafficPolicy.spec.loadBalancer}. Backend weights are honoured by every type.
 *
 * @param type the algorithm
 * @param consistentHash what to hash, for {@link Type#CONSISTENT_HASH} only, else {@code null}
 * @param slowStartWindow ramp of a new endpoint's share ({@code slowStart.window}), or {@code null}
 */
public record LoadBalancerSpec(Type type, ConsistentHashSpec consistentHash, Duration slowStartWindow) {
    public static final LoadBalancerSpec ROUND_ROBIN = new LoadBalancerSpec(Type.ROUND_ROBIN, null, null);

    public enum Type { ROUND_ROBIN, RANDOM, LEAST_REQUEST, CONSISTENT_HASH }

    /**
     * {@code consistentHash}: Maglev over the endpoints.
     *
     * @param source what is hashed
     * @param names header names ({@code headers}, and the deprecated {@code header}) or query parameter names
     *              ({@code queryParams}); empty for SOURCE_IP and COOKIE
     * @param cookie the cookie, for COOKIE only
     * @param tableSize Maglev table size, a prime (default 65537)
     */
    public record ConsistentHashSpec(Source source, List<String> names, CookieSpec cookie, long tableSize) {
        public static final long DEFAULT_TABLE_SIZE = 65537;

        public ConsistentHashSpec {
            names = List.copyOf(names);
        }

        public enum Source { SOURCE_IP, HEADERS, COOKIE, QUERY_PARAMS }
    }

    /**
     * The hash cookie; when a request lacks it, the response sets a generated one.
     *
     * @param name cookie name
     * @param ttl its Max-Age, or {@code null} for a session cookie
     * @param attributes extra attributes (e.g. SameSite=Strict), sorted
     */
    public record CookieSpec(String name, Duration ttl, Map<String, String> attributes) {
        public CookieSpec {
            attributes = Map.copyOf(attributes);
        }
    }
}
