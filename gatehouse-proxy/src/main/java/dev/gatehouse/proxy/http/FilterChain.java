package dev.gatehouse.proxy.http;

import dev.gatehouse.routing.balance.PickContext;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.Route;
import io.netty.handler.codec.http.HttpResponse;

import java.util.List;

/**
 * The filters of one request in order: the rule's filters, then (once the backend is picked by weight)
 * the chosen backendRef's filters. A cursor, so a suspended filter resumes where it stopped.
 *
 * <p>Response filters run in reverse order (backend filters last to first, then rule filters last to
 * first), like unwinding a stack: the filter that saw the request first sees the response last.
 */
final class FilterChain {
    private final Route route;
    /** what a hashing or random backendRef choice reads: the request's upstream attempt */
    private final PickContext pickContext;
    private Backend backend;
    private boolean backendPhase;
    private int index;
    private String backendError;

    FilterChain(Route route, PickContext pickContext) {
        this.route = route;
        this.pickContext = pickContext;
    }

    /** @return the next request filter, or null when all ran (or the backend is invalid: see {@link #backendError()}) */
    HttpFilter next() {
        if (!backendPhase) {
            List<HttpFilter> ruleFilters = route.filters();
            if (index < ruleFilters.size()) {
                return ruleFilters.get(index++);
            }
            backend = route.pickBackend(pickContext);
            if (backend == null) {
                backendError = "backendRef invalid: rule has no backends";
                return null;
            }
            if (backend.cluster() == null) {
                backendError = "backendRef invalid: "
                        + (backend.invalidReason() == null ? "unknown backend" : backend.invalidReason());
                return null;
            }
            backendPhase = true;
            index = 0;
        }
        List<HttpFilter> backendFilters = backend.filters();
        return index < backendFilters.size() ? backendFilters.get(index++) : null;
    }

    /** @return why the picked backendRef cannot be used (500), or null */
    String backendError() {
        return backendError;
    }

    /** @return the picked backend (valid once {@link #next()} returned null without an error) */
    Backend backend() {
        return backend;
    }

    /** Whether {@link #onResponse} has no filter to run (the response head may then stay in its wire form). */
    boolean noResponseFilters() {
        return route.filters().isEmpty() && (backend == null || !backendPhase || backend.filters().isEmpty());
    }

    void onResponse(HttpExchange exchange, HttpResponse response) {
        if (backend != null && backendPhase) {
            List<HttpFilter> fs = backend.filters();
            for (int i = fs.size() - 1; i >= 0; i--) {
                fs.get(i).onResponse(exchange, response);
            }
        }
        List<HttpFilter> fs = route.filters();
        for (int i = fs.size() - 1; i >= 0; i--) {
            fs.get(i).onResponse(exchange, response);
        }
    }
}
