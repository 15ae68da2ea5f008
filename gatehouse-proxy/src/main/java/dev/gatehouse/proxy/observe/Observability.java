package dev.gatehouse.proxy.observe;

/**
 * What the data plane does for observability, beyond {@link dev.gatehouse.proxy.server.ServerOptions}.
 *
 * @param requestIds set {@code X-Request-ID} on every request sent upstream and on every response
 * @param trustRequestId keep a client's {@code X-Request-ID} (when well-formed) instead of replacing it
 * @param debugHeader answer {@code X-Gatehouse-Debug: 1} with {@code X-Gatehouse-Debug-Trace}
 * @param observer metrics, access log and tracing, or {@link ExchangeObserver#NOOP}
 */
public record Observability(boolean requestIds, boolean trustRequestId, boolean debugHeader, ExchangeObserver observer) {
    public Observability {
        observer = observer == null ? ExchangeObserver.NOOP : observer;
    }

    /** Request ids on (trusted), no debug header, no observer: what a bare {@code GatewayServer} does. */
    public static Observability defaults() {
        return new Observability(true, true, false, ExchangeObserver.NOOP);
    }

    /** Everything off, for benchmarks of the bare proxy. */
    public static Observability off() {
        return new Observability(false, true, false, ExchangeObserver.NOOP);
    }

    public boolean observing() {
        return observer != ExchangeObserver.NOOP;
    }

    public Observability withObserver(ExchangeObserver o) {
        return new Observability(requestIds, trustRequestId, debugHeader, o);
    }
}
