package dev.gatehouse.app.cli;

import dev.gatehouse.proxy.health.HealthCheckOptions;
import dev.gatehouse.proxy.l4.UdpSettings;
import dev.gatehouse.routing.route.EncodedSlashPolicy;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.time.Duration;

/** Options shared by {@code run} and {@code demo}. */
public final class GatewayOptions {
    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address the listeners bind on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--admin", defaultValue = "127.0.0.1:9901",
            description = "Admin endpoint host:port, or 'off' (default: ${DEFAULT-VALUE}).")
    String admin;

    @Option(names = "--admin-token", defaultValue = "${env:GATEHOUSE_ADMIN_TOKEN}",
            description = "Bearer token the admin API requires on every path but /live and /ready "
                    + "(default: $GATEHOUSE_ADMIN_TOKEN; none when unset).")
    String adminToken;

    @picocli.CommandLine.Mixin
    ObservabilityFlags observability = new ObservabilityFlags();

    @Option(names = "--encoded-slashes", defaultValue = "keep", converter = EncodedSlashesConverter.class,
            paramLabel = "reject|keep|decode",
            description = "What request path normalisation does with %%2F: reject (400), keep (forwarded encoded; "
                    + "routed as if it were '/', so it cannot slip past a prefix deny) or decode (default: ${DEFAULT-VALUE}).")
    EncodedSlashPolicy encodedSlashes = EncodedSlashPolicy.KEEP;

    @Option(names = "--io-threads", defaultValue = "0",
            description = "Event loops; 0 = one per available processor (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--health-check-interval", defaultValue = "5s", converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "Active health checks: a TCP connect to every endpoint this often; 0 = off, then only "
                    + "failed requests eject an endpoint, for 10s (default: ${DEFAULT-VALUE}).")
    Duration healthCheckInterval;

    @Option(names = "--health-check-no-traffic-interval", defaultValue = "60s", converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "The health check interval instead for endpoints of Services no request was ever routed "
                    + "to (Envoy's no_traffic_interval); 0 or not above --health-check-interval = off "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration healthCheckNoTrafficInterval;

    @Option(names = "--health-check-timeout", defaultValue = "1s", converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "A health check connect must succeed within this (default: ${DEFAULT-VALUE}).")
    Duration healthCheckTimeout;

    @Option(names = "--upstream-idle-timeout", defaultValue = "4s", converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "A pooled backend connection unused this long is closed; keep it below the backends' "
                    + "keep-alive (5s in Node and many frameworks); 0 = no pooling (default: ${DEFAULT-VALUE}).")
    Duration upstreamIdleTimeout;

    @Option(names = "--drain-period", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "On SIGTERM or Ctrl-C, first fail readiness and keep serving (and accepting) for this long, "
                    + "answering HTTP/1.1 with Connection: close, so that load balancers and Kubernetes endpoints "
                    + "stop sending here before the listeners close; then --drain-timeout applies. Keep the pod's "
                    + "terminationGracePeriodSeconds above the two together (default: 10s with --kubernetes, 0s "
                    + "otherwise, so Ctrl-C stays quick).")
    Duration drainPeriod;

    @Option(names = "--udp-session-idle-timeout", defaultValue = "60s", converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "A UDP client's session (its backend and socket) with no datagram either way for this long "
                    + "ends; its next datagram may go to another backend (default: ${DEFAULT-VALUE}).")
    Duration udpSessionIdleTimeout;

    @Option(names = "--udp-max-sessions", defaultValue = "16384", paramLabel = "N",
            description = "UDP sessions each UDP port keeps at once; datagrams of further clients are dropped "
                    + "and counted (default: ${DEFAULT-VALUE}).")
    int udpMaxSessions;

    @Option(names = "--drain-timeout", defaultValue = "10s", converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "On SIGTERM or Ctrl-C: stop accepting, let requests in flight finish for up to this long, "
                    + "then close long-lived streams (SSE, WebSocket) and exit 0; a second signal exits at once; "
                    + "0 = close at once (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--rate-limit-redis", paramLabel = "URI",
            description = "Redis for BackendTrafficPolicy global rate limits, a Lettuce URI: redis://[:password@]host:port, "
                    + "rediss:// (TLS), redis-sentinel://host:26379,host2:26379#master; several URIs separated by commas "
                    + "are a Redis Cluster's seed nodes. Without it, global rules act as if Redis were down.")
    String rateLimitRedis;

    @Option(names = "--rate-limit-fail-closed",
            description = "When Redis cannot answer, refuse requests that global rate limits apply to (503 with "
                    + "Retry-After) instead of letting them through (the default: fail open).")
    boolean rateLimitFailClosed;

    /** picocli: "reject", "keep", "decode" in any case. */
    static final class EncodedSlashesConverter implements picocli.CommandLine.ITypeConverter<EncodedSlashPolicy> {
        @Override
        public EncodedSlashPolicy convert(String value) {
            try {
                return EncodedSlashPolicy.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "--encoded-slashes must be reject, keep or decode, got " + value);
            }
        }
    }

    HealthCheckOptions healthChecks() {
        return new HealthCheckOptions(healthCheckInterval, healthCheckTimeout, healthCheckNoTrafficInterval);
    }

    UdpSettings udpSettings() {
        if (udpSessionIdleTimeout.isZero() || udpSessionIdleTimeout.isNegative()) {
            throw new IllegalArgumentException("--udp-session-idle-timeout must be positive, got " + udpSessionIdleTimeout);
        }
        if (udpMaxSessions < 1) {
            throw new IllegalArgumentException("--udp-max-sessions must be at least 1, got " + udpMaxSessions);
        }
        return new UdpSettings(udpSessionIdleTimeout, udpMaxSessions);
    }

    InetSocketAddress adminAddress() {
        if ("off".equalsIgnoreCase(admin)) {
            return null;
        }
        int colon = admin.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--admin must be host:port or 'off', got " + admin);
        }
        String host = admin.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(admin.substring(colon + 1)));
    }
}
