package dev.gatehouse.ir;

import java.util.List;

/**
 * A weighted backend of a rule.
 *
 * @param cluster name of a {@link ClusterSpec}, or {@code null} when the reference is invalid and its
 *                share of traffic must be answered with 500
 * @param weight relative weight, 0 disables
 * @param filters filters that run only when this backend is chosen
 * @param invalidReason why the reference is invalid (for explain and logs), or {@code null}
 */
public record BackendRefSpec(String cluster, int weight, List<FilterSpec> filters, String invalidReason) {
    public BackendRefSpec {
        filters = List.copyOf(filters);
    }
}
