package dev.gatehouse.routing.explain;

import dev.gatehouse.routing.explain.Explanation.Outcome;
import dev.gatehouse.routing.explain.Explanation.OutcomeKind;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one rule filter did to the synthetic request, or why explain did not run it. Only filters that
 * declare themselves {@link HttpFilter#sideEffectFree() side-effect free} run, on the explain request's own
 * exchange; the effect is read off the exchange (host, path, headers before and after) or the response.
 *
 * @param effect e.g. "path /v1/a -> /a", "responds 301 Location ...", "described only: ..."
 * @param response the answer when the filter responds, else {@code null}
 */
record FilterPreview(String effect, Outcome response) {


    static FilterPreview of(HttpFilter filter, HttpExchange exchange) {
        if (!filter.sideEffectFree()) {
            return new FilterPreview("described only: explain does not run filters with side effects", null);
        }
        String host = exchange.host();
        String path = exchange.path();
        String query = exchange.query();
        List<Map.Entry<String, String>> before = exchange.request().headers().entries();
        FilterResult result = filter.onRequest(exchange);
        if (result instanceof FilterResult.Respond respond) {
            HttpResponse response = respond.response();
            try {
                int code = response.status().code();
                String location = response.headers().get(HttpHeaderNames.LOCATION);
                if (code >= 300 && code < 400 && location != null) {
                    return new FilterPreview("responds " + code + " Location " + location,
                            new Outcome(OutcomeKind.REDIRECT, code, "redirect " + code + " Location " + location));
                }
                return new FilterPreview("responds " + code,
                        new Outcome(OutcomeKind.FILTER_RESPONSE, code, code + " answered by " + filter.type()));
            } finally {
                ReferenceCountUtil.release(response);
            }
        }
        if (result instanceof FilterResult.Suspend) {
            return new FilterPreview("would wait for an external answer; explain stops here", null);
        }
        List<String> changes = new ArrayList<>();
        if (!same(host, exchange.host())) {
            changes.add("host " + host + " -> " + exchange.host());
        }
        if (!same(path, exchange.path()) || !same(query, exchange.query())) {
            changes.add("path " + target(path, query) + " -> " + target(exchange.path(), exchange.query()));
        }
        List<String> removed = lines(before);
        List<String> added = lines(exchange.request().headers().entries());
        List<String> kept = new ArrayList<>(added);
        added.removeAll(removed);
        removed.removeAll(kept);
        removed.forEach(h -> changes.add("header -" + h));
        added.forEach(h -> changes.add("header +" + h));
        if (changes.isEmpty()) {
            return new FilterPreview(actsOnResponse(filter) ? "acts on the response" : "no change to this request", null);
        }
        return new FilterPreview(String.join("; ", changes), null);
    }

    private static boolean same(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    private static String target(String path, String query) {
        return query == null ? path : path + "?" + query;
    }

    private static List<String> lines(List<Map.Entry<String, String>> entries) {
        List<String> out = new ArrayList<>(entries.size());
        for (Map.Entry<String, String> e : entries) {
            out.add(e.getKey().toLowerCase(Locale.ROOT) + ": " + e.getValue());
        }
        return out;
    }

    private static boolean actsOnResponse(HttpFilter filter) {
        try {
            return filter.getClass().getMethod("onResponse", HttpExchange.class, HttpResponse.class)
                    .getDeclaringClass() != HttpFilter.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
