package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.ActiveHealthCheckSpec;
import dev.gatehouse.routing.tls.UpstreamTls;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * What one endpoint's prober does: the check (a policy's {@code healthCheck.active}, or the CLI's TCP check), where
 * it connects ({@code overrides.port} applied), and with which TLS (HTTP and GRPC checks of a TLS backend).
 *
 * @param check the check, defaults filled in
 * @param tls the cluster's BackendTLSPolicy, or {@code null}; unused by TCP checks
 * @param address where probes connect
 * @param cluster the cluster whose policy chose the check (log lines), or {@code null} for the CLI default
 */
record ProbeTarget(ActiveHealthCheckSpec check, UpstreamTls tls, InetSocketAddress address, String cluster) {
    /** EG's defaults for fields a policy left unset. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(3);
    static final int DEFAULT_UNHEALTHY = 3;
    static final int DEFAULT_HEALTHY = 1;

    /** The CLI's check: a TCP connect with its interval and timeout, the registry's thresholds. */
    static ProbeTarget cli(HealthCheckOptions options, int healthy, int unhealthy, InetSocketAddress endpoint) {
        return new ProbeTarget(new ActiveHealthCheckSpec(ActiveHealthCheckSpec.Type.TCP, options.timeout(),
                options.interval(), null, unhealthy, healthy, null, null, null), null, endpoint, null);
    }

    /** A policy's check of {@code endpoint}, as the cluster {@code cluster} (with {@code tls}) asks for it. */
    static ProbeTarget policy(ActiveHealthCheckSpec c, UpstreamTls tls, InetSocketAddress endpoint, String cluster) {
        ActiveHealthCheckSpec filled = new ActiveHealthCheckSpec(c.type(),
                c.timeout() == null || c.timeout().isZero() ? DEFAULT_TIMEOUT : c.timeout(),
                c.interval() == null || c.interval().isZero() ? DEFAULT_INTERVAL : c.interval(),
                c.initialJitter(), c.unhealthyThreshold() < 1 ? DEFAULT_UNHEALTHY : c.unhealthyThreshold(),
                c.healthyThreshold() < 1 ? DEFAULT_HEALTHY : c.healthyThreshold(), c.http(), c.grpcService(), c.port());
        InetSocketAddress probed = c.port() == null ? endpoint : new InetSocketAddress(endpoint.getAddress(), c.port());
        return new ProbeTarget(filled, c.type() == ActiveHealthCheckSpec.Type.TCP ? null : tls, probed, cluster);
    }

    boolean fromPolicy() {
        return cluster != null;
    }

    /** Same probes (record equality would compare expectedBinary by identity, restarting probers on every reload). */
    boolean sameProbe(ProbeTarget o) {
        return o != null && sameCheck(check, o.check) && Objects.equals(tls, o.tls) && address.equals(o.address);
    }

    static boolean sameCheck(ActiveHealthCheckSpec a, ActiveHealthCheckSpec b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.type() == b.type() && Objects.equals(a.timeout(), b.timeout())
                && Objects.equals(a.interval(), b.interval()) && Objects.equals(a.initialJitter(), b.initialJitter())
                && a.unhealthyThreshold() == b.unhealthyThreshold() && a.healthyThreshold() == b.healthyThreshold()
                && Objects.equals(a.grpcService(), b.grpcService()) && Objects.equals(a.port(), b.port())
                && sameHttp(a.http(), b.http());
    }

    private static boolean sameHttp(ActiveHealthCheckSpec.HttpCheck a, ActiveHealthCheckSpec.HttpCheck b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.path().equals(b.path()) && Objects.equals(a.method(), b.method())
                && Objects.equals(a.hostname(), b.hostname()) && a.expectedStatuses().equals(b.expectedStatuses())
                && Objects.equals(a.expectedText(), b.expectedText()) && Arrays.equals(a.expectedBinary(), b.expectedBinary());
    }

    /** "HTTP GET /healthz", "TCP", "GRPC service foo": for logs and the admin API. */
    String describe() {
        return switch (check.type()) {
            case TCP -> "TCP";
            case HTTP -> "HTTP " + (check.http().method() == null ? "GET" : check.http().method()) + " " + check.http().path();
            case GRPC -> "GRPC" + (check.grpcService() == null || check.grpcService().isEmpty() ? ""
                    : " service " + check.grpcService());
        } + (tls == null ? "" : " over TLS");
    }
}
