package dev.gatehouse.ir;

import java.time.Duration;

/**
 * {@code BackendTrafficPolicy.spec.timeout}; {@code null} = not set (the CLI's defaults). A rule's
 * {@code timeouts.request} and {@code timeouts.backendRequest} take precedence over {@code requestTimeout}.
 *
 * @param connectTimeout {@code tcp.connectTimeout}, TLS handshake included
 * @param requestTimeout {@code http.requestTimeout}: the whole upstream response
 * @param connectionIdleTimeout {@code http.connectionIdleTimeout}: pooled upstream connections idle longer close
 * @param maxConnectionDuration {@code http.maxConnectionDuration}: upstream connections older close when idle
 */
public record BackendTimeoutSpec(Duration connectTimeout, Duration requestTimeout, Duration connectionIdleTimeout,
                                 Duration maxConnectionDuration) {
}
