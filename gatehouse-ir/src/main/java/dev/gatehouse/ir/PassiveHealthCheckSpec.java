package dev.gatehouse.ir;

import java.time.Duration;

/**
 * {@code BackendTrafficPolicy.spec.healthCheck.passive} (Envoy's outlier detection). {@code null} counts are "not
 * set" (that detector is off, or EG's default where the schema has one).
 *
 * @param consecutive5xxErrors consecutive 5xx answers (and gateway errors) that eject an endpoint (EG default 5)
 * @param consecutiveGatewayErrors consecutive 502/503/504 and connect failures that eject it (no default: off)
 * @param consecutiveLocalOriginFailures with {@code splitExternalLocalOriginErrors}: consecutive connect failures
 *                                       and resets (default 5)
 * @param splitExternalLocalOriginErrors count local-origin failures apart from answers
 * @param interval how often ejections are reviewed (default 3 s)
 * @param baseEjectionTime the first ejection's length, multiplied by the number of ejections so far (default 30 s)
 * @param maxEjectionPercent at most this share of a cluster's endpoints is ejected at once (default 10)
 */
public record PassiveHealthCheckSpec(Integer consecutive5xxErrors, Integer consecutiveGatewayErrors,
                                     Integer consecutiveLocalOriginFailures, boolean splitExternalLocalOriginErrors,
                                     Duration interval, Duration baseEjectionTime, int maxEjectionPercent) {
}
