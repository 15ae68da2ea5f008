package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.routing.balance.Cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * IR filter -> compiled {@link HttpFilter}, once per snapshot: validates values, builds header names and
 * responses' constant parts, resolves mirror clusters. Throws {@link IllegalArgumentException} saying what
 * is wrong; the route compiler adds which route it belongs to.
 */
public final class FilterCompiler {
    private final Function<String, Cluster> clusters;

    /** @param clusters the snapshot's clusters by name (returns {@code null} for unknown names) */
    public FilterCompiler(Function<String, Cluster> clusters) {
        this.clusters = clusters;
    }

    public List<HttpFilter> compileAll(List<FilterSpec> specs) {
        if (specs.isEmpty()) {
            return List.of();
        }
        List<HttpFilter> filters = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) {
            try {
                filters.add(compile(specs.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("filter " + i + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(filters);
    }

    public HttpFilter compile(FilterSpec spec) {
        if (spec instanceof FilterSpec.RequestHeaderModifierSpec s) {
            return RequestHeaderModifierFilter.compile(s);
        }
        if (spec instanceof FilterSpec.ResponseHeaderModifierSpec s) {
            return ResponseHeaderModifierFilter.compile(s);
        }
        if (spec instanceof FilterSpec.RequestRedirectSpec s) {
            return RequestRedirectFilter.compile(s);
        }
        if (spec instanceof FilterSpec.UrlRewriteSpec s) {
            return UrlRewriteFilter.compile(s);
        }
        if (spec instanceof FilterSpec.RequestMirrorSpec s) {
            return RequestMirrorFilter.compile(s, clusters);
        }
        if (spec instanceof FilterSpec.CorsSpec s) {
            return CorsFilter.compile(s);
        }
        if (spec instanceof FilterSpec.DirectResponseSpec s) {
            return DirectResponseFilter.compile(s);
        }
        if (spec instanceof FilterSpec.ExternalAuthSpec s) {
            return ExtAuthFilter.compile(s.check(), clusters);
        }
        throw new IllegalArgumentException("unsupported filter " + (spec == null ? "null" : spec.getClass().getSimpleName()));
    }
}
