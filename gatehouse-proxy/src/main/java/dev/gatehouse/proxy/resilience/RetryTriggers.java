package dev.gatehouse.proxy.resilience;

import dev.gatehouse.ir.RetrySpec;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which failures a {@link RetrySpec} retries, by Envoy Gateway's trigger names, and how long to wait before the
 * retry. A spec without triggers retries connection failures, resets (a per-try timeout included) and refused
 * streams, as Gateway API's HTTPRoute {@code retry} asks of connection errors; its {@code statusCodes} are retried
 * whatever the triggers.
 */
public final class RetryTriggers {
    /** The 25 ms base interval of Envoy's back-off when none is configured. */
    static final Duration DEFAULT_BASE = Duration.ofMillis(25);
    private static final Set<String> DEFAULT_TRIGGERS = Set.of("connect-failure", "reset", "refused-stream");

    /** How an attempt failed without an answer. */
    public enum Failure {
        /** no connection (refused, unreachable, connect or TLS handshake timeout) */
        CONNECT,
        /** the connection broke before the whole request went out */
        RESET_BEFORE_REQUEST,
        /** the connection broke after the request, before the response head */
        RESET,
        /** an HTTP/2 backend refused the stream (REFUSED_STREAM, GOAWAY): it did not process the request */
        REFUSED_STREAM,
        /** no response head within the per-try (or backend request) timeout */
        TIMEOUT;

        /** Whether the backend may have acted on the request (then only an idempotent one is replayed). */
        public boolean mayHaveRun() {
            return this == RESET || this == TIMEOUT;
        }
    }

    private RetryTriggers() {
    }

    private static Set<String> triggers(RetrySpec spec) {
        return spec.triggers().isEmpty() ? DEFAULT_TRIGGERS : spec.triggers();
    }

    /** Whether {@code spec} retries an attempt that failed with {@code failure}. */
    public static boolean retries(RetrySpec spec, Failure failure) {
        Set<String> t = triggers(spec);
        if (t.contains("5xx") || t.contains("gateway-error")) {
            return true; // each ends in a 502, 503 or 504 of the gateway's own
        }
        return switch (failure) {
            case CONNECT -> t.contains("connect-failure");
            case RESET_BEFORE_REQUEST -> t.contains("reset") || t.contains("reset-before-request");
            case RESET, TIMEOUT -> t.contains("reset");
            case REFUSED_STREAM -> t.contains("refused-stream") || t.contains("reset");
        };
    }

    /**
     * Whether {@code spec} retries an answer with {@code status} (and, for gRPC, {@code grpcStatus} from its head,
     * or null).
     */
    public static boolean retries(RetrySpec spec, int status, CharSequence grpcStatus) {
        if (spec.statusCodes().contains(status)) {
            return true;
        }
        Set<String> t = triggers(spec);
        if (status >= 500 && t.contains("5xx")
                || (status == 502 || status == 503 || status == 504) && t.contains("gateway-error")
                || status == 409 && t.contains("retriable-4xx")) {
            return true;
        }
        if (grpcStatus == null) {
            return false;
        }
        return switch (grpcStatus.toString().trim()) {
            case "1" -> t.contains("cancelled");
            case "4" -> t.contains("deadline-exceeded");
            case "8" -> t.contains("resource-exhausted");
            case "13" -> t.contains("internal");
            case "14" -> t.contains("unavailable");
            default -> false;
        };
    }

    /**
     * Full-jitter exponential back-off: a uniform wait in {@code [0, min(max, base * 2^retry))}, so retries of many
     * requests that failed together spread out instead of arriving together.
     *
     * @param retry 0 for the first retry
     */
    public static long backOffNanos(RetrySpec spec, int retry) {
        long base = (spec.backOffBase() == null ? DEFAULT_BASE : spec.backOffBase()).toNanos();
        long max = spec.backOffMax() == null ? base * 10 : spec.backOffMax().toNanos();
        long ceiling = Math.min(max, base << Math.min(retry, 30));
        return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling);
    }
}
