package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.PassiveHealthCheckSpec;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Outlier detection of one cluster ({@code healthCheck.passive}, Envoy's consecutive-error detectors): counts each
 * endpoint's consecutive 5xx answers, gateway errors and local-origin failures and ejects the endpoint for
 * {@code baseEjectionTime × n} (n grows with each ejection and decays by one per {@code interval} not ejected), never
 * more than {@code maxEjectionPercent} of the cluster's endpoints at once.
 *
 * <p>The counts and the ejection live on the endpoint's {@link EndpointHealth} (per address, like the verdict), so
 * every balancer honours an ejection through {@link EndpointHealth#routable()}; the thresholds and the cap are the
 * cluster's. The hot path ({@link #response}) is an atomic increment for an error and, for a success, a read of
 * three counters that are already zero; deciding an ejection (rare) takes this detector's lock so that two event
 * loops cannot both pass the cap.
 *
 * <p>As Envoy does without {@code splitExternalLocalOriginErrors}, a connect failure or a reset before the answer
 * counts as a 503 (a 5xx and a gateway error); with it, such failures have their own count and answers never reset it.
 * {@code maxEjectionPercent} follows today's Envoy (envoy#27909, which added {@code always_eject_one_host} for the old
 * behaviour): an ejection happens only if the ejected share,
 * counting it, stays within the percentage, so 10% of 4 endpoints ejects none ({@code alwaysEjectOneEndpoint} would
 * allow one, but the policy translator rejects it).
 */
public final class OutlierDetector {
    /** EG's defaults: 5 consecutive 5xx, interval 3 s, base ejection 30 s, 10%; local-origin 5 when split. */
    static final int DEFAULT_CONSECUTIVE = 5;
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(3);
    static final Duration DEFAULT_BASE_EJECTION = Duration.ofSeconds(30);

    private final String cluster;
    private final int consecutive5xx;
    /** 0: the gateway-error detector is off (EG has no default for it). */
    private final int consecutiveGateway;
    private final int consecutiveLocal;
    private final boolean split;
    private final long intervalNanos;
    private final long baseNanos;
    private final int maxEjectionPercent;
    private final EndpointHealth[] endpoints;

    OutlierDetector(String cluster, PassiveHealthCheckSpec spec, EndpointHealth[] endpoints) {
        this.cluster = cluster;
        this.consecutive5xx = orDefault(spec.consecutive5xxErrors(), DEFAULT_CONSECUTIVE);
        this.consecutiveGateway = orDefault(spec.consecutiveGatewayErrors(), 0);
        this.consecutiveLocal = orDefault(spec.consecutiveLocalOriginFailures(), DEFAULT_CONSECUTIVE);
        this.split = spec.splitExternalLocalOriginErrors();
        this.intervalNanos = (spec.interval() == null ? DEFAULT_INTERVAL : spec.interval()).toNanos();
        this.baseNanos = (spec.baseEjectionTime() == null ? DEFAULT_BASE_EJECTION : spec.baseEjectionTime()).toNanos();
        this.maxEjectionPercent = spec.maxEjectionPercent();
        this.endpoints = endpoints;
    }

    /** @return the detector of {@code spec}'s {@code healthCheck.passive}, or {@code null} when it has none */
    public static OutlierDetector of(ClusterSpec spec, EndpointHealth[] endpoints) {
        PassiveHealthCheckSpec passive = spec.traffic() == null ? null : spec.traffic().passiveHealthCheck();
        return passive == null ? null : new OutlierDetector(spec.name(), passive, endpoints.clone());
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    /** Hot path: the endpoint answered {@code status} (a response head arrived). */
    public void response(EndpointHealth h, int status) {
        if (status < 500) {
            // a success breaks every streak; reads first, so the common case writes nothing
            reset(h.consecutive5xx);
            reset(h.consecutiveGateway);
            if (split) {
                reset(h.consecutiveLocal); // the connection worked: a local-origin success
            }
            return;
        }
        error(h, status, null);
    }

    /** A request's connect failed or its connection broke before the answer; failure path only. */
    public void localFailure(EndpointHealth h, String reason) {
        if (!split) {
            error(h, 503, reason); // Envoy maps local-origin errors to 503 when they are not split
            return;
        }
        if (h.consecutiveLocal.incrementAndGet() >= consecutiveLocal) {
            tryEject(h, consecutiveLocal + " consecutive local-origin failures, last: " + reason,
                    "consecutive_local_origin_failures", h.consecutiveLocal);
        }
    }

    private void error(EndpointHealth h, int status, String reason) {
        String last = reason == null ? Integer.toString(status) : reason;
        if (consecutiveGateway > 0) {
            if (status == 502 || status == 503 || status == 504) {
                if (h.consecutiveGateway.incrementAndGet() >= consecutiveGateway) {
                    tryEject(h, consecutiveGateway + " consecutive gateway errors, last: " + last,
                            "consecutive_gateway_errors", h.consecutiveGateway);
                }
            } else {
                reset(h.consecutiveGateway);
            }
        }
        if (consecutive5xx > 0 && h.consecutive5xx.incrementAndGet() >= consecutive5xx) {
            tryEject(h, consecutive5xx + " consecutive 5xx, last: " + last, "consecutive_5xx", h.consecutive5xx);
        }
    }

    private static void reset(AtomicInteger counter) {
        if (counter.get() != 0) {
            counter.set(0);
        }
    }

    /** The streak reached its threshold: eject if the cap allows; either way the streak starts over (Envoy). */
    private synchronized void tryEject(EndpointHealth h, String why, String code, AtomicInteger streak) {
        streak.set(0);
        int ejected = 0;
        for (EndpointHealth e : endpoints) {
            ejected += e.outlier().ejected() ? 1 : 0;
        }
        if (100L * (ejected + 1) > (long) maxEjectionPercent * endpoints.length) {
            return; // maxEjectionPercent: the endpoint stays in rotation
        }
        if (h.eject(cluster, why, code, baseNanos, intervalNanos)) {
            h.consecutive5xx.set(0);
            h.consecutiveGateway.set(0);
            h.consecutiveLocal.set(0);
        }
    }

    @Override
    public String toString() {
        return "OutlierDetector[" + cluster + " 5xx=" + consecutive5xx + " gateway=" + consecutiveGateway
                + " local=" + (split ? consecutiveLocal : "-") + " base=" + baseNanos / 1_000_000 + "ms max="
                + maxEjectionPercent + "%]";
    }
}
