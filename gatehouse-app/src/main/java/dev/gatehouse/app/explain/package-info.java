/**
 * Explain as the app offers it ({@code GET /explain}, {@code gatehouse explain}): the data plane's
 * {@link dev.gatehouse.routing.explain.RouteExplainer} answer for a request that was never sent, joined with
 * the translator's status conditions that explain a route missing from the listener it would land on.
 */
package dev.gatehouse.app.explain;
