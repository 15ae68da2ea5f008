package dev.gatehouse.ir;

import java.time.Duration;
import java.util.List;

/**
 * {@code BackendTrafficPolicy.spec.healthCheck.active}: probes run off the request path, once per endpoint and check.
 *
 * @param type HTTP, TCP or GRPC
 * @param timeout per probe (default 1 s)
 * @param interval between probes (default 3 s)
 * @param initialJitter random delay before the first probe, or {@code null}
 * @param unhealthyThreshold consecutive failures that make an endpoint unhealthy (default 3)
 * @param healthyThreshold consecutive successes that bring it back (default 1)
 * @param http for HTTP: path, method, hostname, expected statuses and body; else {@code null}
 * @param grpcService for GRPC: the grpc.health.v1 service name ("" = the server as a whole); else {@code null}
 * @param port {@code overrides.port}: probe this port instead of the endpoint's, or {@code null}
 */
public record ActiveHealthCheckSpec(Type type, Duration timeout, Duration interval, Duration initialJitter,
                                    int unhealthyThreshold, int healthyThreshold, HttpCheck http, String grpcService,
                                    Integer port) {
    public enum Type { HTTP, TCP, GRPC }

    /**
     * @param path request path
     * @param method default GET
     * @param hostname Host header, or {@code null} for the endpoint's address
     * @param expectedStatuses default [200]
     * @param expectedText the body must contain this text ({@code expectedResponse} Text), or {@code null}
     * @param expectedBinary the body must contain these bytes ({@code expectedResponse} Binary, decoded), or {@code null}
     */
    public record HttpCheck(String path, String method, String hostname, List<Integer> expectedStatuses,
                            String expectedText, byte[] expectedBinary) {
        public HttpCheck {
            expectedStatuses = List.copyOf(expectedStatuses);
        }
    }
}
