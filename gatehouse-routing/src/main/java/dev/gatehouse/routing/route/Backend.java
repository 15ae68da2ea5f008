package dev.gatehouse.routing.route;

import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.filter.HttpFilter;

import java.util.List;

/**
 * A weighted backendRef of a compiled rule.
 *
 * @param cluster where to send it, or {@code null} for an invalid reference (500)
 * @param filters per-backendRef filters, run after the rule's filters
 * @param invalidReason why the reference is invalid, or {@code null}
 */
public record Backend(Cluster cluster, List<HttpFilter> filters, String invalidReason) {
    public Backend {
        filters = List.copyOf(filters);
    }
}
