package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.LoadBalancerSpec;
import dev.gatehouse.ir.LoadBalancerSpec.ConsistentHashSpec;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Cluster specs with a load balancer, and a PickContext that carries one key. */
final class BalancerTesting {
    private BalancerTesting() {
    }

    static ClusterSpec spec(String name, LoadBalancerSpec lb, Integer panic, int... ports) {
        List<ClusterSpec.EndpointSpec> endpoints = new ArrayList<>();
        for (int port : ports) {
            endpoints.add(new ClusterSpec.EndpointSpec("127.0.0.1", port));
        }
        return new ClusterSpec(name, endpoints, ClusterSpec.LoadBalancerType.ROUND_ROBIN, null, null,
                new BackendTrafficSpec("ns/policy", lb, null, null, panic, null, null, null));
    }

    /** count endpoints at 10.0.0.1..count:8080 */
    static ClusterSpec hashed(String name, ConsistentHashSpec hash, int count) {
        List<ClusterSpec.EndpointSpec> endpoints = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            endpoints.add(new ClusterSpec.EndpointSpec("10.0.0." + i, 8080));
        }
        return new ClusterSpec(name, endpoints, ClusterSpec.LoadBalancerType.ROUND_ROBIN, null, null,
                new BackendTrafficSpec("ns/policy", new LoadBalancerSpec(LoadBalancerSpec.Type.CONSISTENT_HASH, hash,
                        null), null, null, null, null, null, null));
    }

    static LoadBalancerSpec lb(LoadBalancerSpec.Type type) {
        return new LoadBalancerSpec(type, null, null);
    }

    static ConsistentHashSpec headerHash(String header) {
        return new ConsistentHashSpec(ConsistentHashSpec.Source.HEADERS, List.of(header), null,
                ConsistentHashSpec.DEFAULT_TABLE_SIZE);
    }

    static ConsistentHashSpec cookieHash(String name, Duration ttl, Map<String, String> attributes) {
        return new ConsistentHashSpec(ConsistentHashSpec.Source.COOKIE, List.of(),
                new LoadBalancerSpec.CookieSpec(name, ttl, attributes), ConsistentHashSpec.DEFAULT_TABLE_SIZE);
    }

    static void markUnhealthy(EndpointHealth h) {
        h.probeFailed("connection refused");
        h.probeFailed("connection refused");
    }

    /** A request with headers, a source address, cookies; remembers a generated cookie as the proxy does. */
    static final class Request implements PickContext {
        final Map<String, String> headers;
        final Map<String, String> cookies;
        final InetAddress source;
        InetSocketAddress avoid;
        HashCookie generated;
        String generatedValue;

        Request(Map<String, String> headers, Map<String, String> cookies, String source) {
            this.headers = headers;
            this.cookies = cookies;
            try {
                this.source = source == null ? null : InetAddress.getByName(source);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }

        static Request header(String name, String value) {
            return new Request(Map.of(name, value), Map.of(), null);
        }

        @Override
        public InetAddress sourceAddress() {
            return source;
        }

        @Override
        public String header(CharSequence name) {
            return headers.get(name.toString());
        }

        @Override
        public String cookie(String name) {
            return cookies.get(name);
        }

        @Override
        public InetSocketAddress avoid() {
            return avoid;
        }

        @Override
        public String generatedCookie(HashCookie cookie) {
            return generated != null && generated.name().equals(cookie.name()) ? generatedValue : null;
        }

        @Override
        public void generatedCookie(HashCookie cookie, String value) {
            generated = cookie;
            generatedValue = value;
        }
    }
}
