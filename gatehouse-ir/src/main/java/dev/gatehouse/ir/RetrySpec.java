package dev.gatehouse.ir;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * When and how often a request is tried again on another endpoint: from an HTTPRoute rule's {@code retry} field
 * ({@code codes}, {@code attempts}, {@code backoff}) or a BackendTrafficPolicy's {@code retry} ({@code numRetries},
 * {@code retryOn}, {@code perRetry}); the rule's field takes precedence. Only replayable requests are retried.
 *
 * @param numRetries retries after the first attempt (the rule's {@code attempts} counts them the same way)
 * @param triggers EG's {@code retryOn.triggers}, as written ("5xx", "gateway-error", "reset", "connect-failure",
 *                 "retriable-status-codes", ...)
 * @param statusCodes {@code retryOn.httpStatusCodes} or the rule's {@code codes}: answers that are retried
 * @param perTryTimeout {@code perRetry.timeout}, or {@code null}
 * @param backOffBase {@code perRetry.backOff.baseInterval} or the rule's {@code backoff}, or {@code null} (25 ms)
 * @param backOffMax {@code perRetry.backOff.maxInterval}, or {@code null} (10x the base)
 * @param source "HTTPRoute" or "BackendTrafficPolicy ns/name", for explain and logs
 */
public record RetrySpec(int numRetries, Set<String> triggers, List<Integer> statusCodes, Duration perTryTimeout,
                        Duration backOffBase, Duration backOffMax, String source) {
    public RetrySpec {
        triggers = Set.copyOf(triggers);
        statusCodes = List.copyOf(statusCodes);
    }
}
