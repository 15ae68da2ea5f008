package dev.gatehouse.proxy.route;

import dev.gatehouse.proxy.filter.HttpExchange;

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
}
