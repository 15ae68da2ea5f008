/**
 * Explain: what the data plane would do with a request that was never sent, and why ({@code GET /explain},
 * {@code gatehouse explain}). {@link dev.gatehouse.routing.explain.RouteExplainer} asks the route tables for a
 * {@link dev.gatehouse.routing.route.MatchTrace} (computed by the very matchers that route traffic, so the
 * explanation and the real decision cannot disagree), runs the side-effect-free filters on a synthetic
 * request, describes the rest, and answers an {@link dev.gatehouse.routing.explain.Explanation}: a tree of
 * plain records for JSON, which {@link dev.gatehouse.routing.explain.ExplanationPrinter} renders as text.
 * Nothing here advances a balancer, draws a random number or touches a socket.
 */
package dev.gatehouse.routing.explain;
