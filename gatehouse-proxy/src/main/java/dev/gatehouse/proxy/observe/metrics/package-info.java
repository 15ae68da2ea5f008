/**
 * Prometheus metrics through Micrometer. {@link dev.gatehouse.proxy.observe.metrics.GatewayMetrics} owns the
 * registry, binds one {@link dev.gatehouse.proxy.observe.metrics.RouteMeters} to every compiled route when a
 * snapshot is applied (Micrometer hands back the same meter for the same name and tags, so counters survive
 * reloads) and renders the text format for {@code GET /metrics}. Labels are bounded by config: listener,
 * route ({@code ns/name#rule}), backend (cluster name), status class, port, outcome enums; never a path,
 * host or header value.
 */
package dev.gatehouse.proxy.observe.metrics;
