package dev.gatehouse.routing.route;

import dev.gatehouse.routing.filter.HttpExchange;

/**
 * Everything served on one HTTP port: picks the listener by hostname (most specific), then the virtual
 * host, then the first rule in precedence order that matches.
 */
public interface HttpPortRouter {

    /**
     * Reads {@link HttpExchange#host()}, {@link HttpExchange#path()}, {@link HttpExchange#query()},
     * the method and the headers. Allocation-light, no regex compilation, no map building.
     *
     * @return the matched route, or {@code null} when nothing matches (404)
     */
    Route route(HttpExchange exchange);

    /**
     * Whether a TLS request must be answered 421 Misdirected Request: its SNI selects a different listener
     * of this port than its Host does (a connection set up for one listener must not serve another's
     * routes). Both names lower case, without port.
     *
     * @param sniHost the TLS server name, or {@code null} when the client sent none (never misdirected)
     */
    default boolean isMisdirected(String sniHost, String host) {
        return false;
    }

    /**
     * The one-line decision behind {@code X-Gatehouse-Debug}, e.g. {@code listener=default/edge/web
     * vhost=*.example.com rule=default/shop#1 match=0 backend=default/shop:80}. A few hash probes and one
     * string: call it only when the debug header is enabled and present, after the backend was picked.
     *
     * @param route what {@link #route} answered for this exchange, or {@code null}
     * @param backend the picked backend, or {@code null}
     */
    default String debugTrace(HttpExchange exchange, Route route, Backend backend) {
        return DebugTrace.format(route == null ? null : route.listener().replace(' ', '/'), null, route, backend);
    }

    /**
     * Every compiled rule this router can answer, each once, for binding per-route state (meters) when a
     * snapshot is applied. Off the event loops; allocates.
     */
    default java.util.List<CompiledRoute> routes() {
        return java.util.List.of();
    }

    /**
     * The listener {@link #route} chose by the exchange's host, or {@code null} when no listener of the port
     * takes the host. One hash probe: for labelling a request that matched no rule (404), not for routing.
     */
    default ListenerRouter listener(HttpExchange exchange) {
        return null;
    }

    /** Every listener of the port, for binding per-listener state when a snapshot is applied. */
    default java.util.List<ListenerRouter> listeners() {
        return java.util.List.of();
    }

    /** A human-readable dump of listeners, hosts and rules in match order, for /config and explain. */
    default String describe() {
        return toString();
    }
}
