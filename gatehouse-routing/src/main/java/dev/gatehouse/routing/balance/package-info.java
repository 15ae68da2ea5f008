/**
 * Clusters of endpoints and the balancers that pick among them: {@link dev.gatehouse.routing.balance.RoundRobinCluster}
 * over a Service's endpoints, {@link dev.gatehouse.routing.balance.SmoothWeightedRoundRobin} over a rule's
 * weighted backendRefs. Picks are lock-free; endpoints are IP literals resolved at compile time.
 *
 * <p>Endpoint health: {@link dev.gatehouse.routing.balance.EndpointHealthRegistry} (long-lived, keyed by address) holds
 * one {@link dev.gatehouse.routing.balance.EndpointHealth} per endpoint, whose immutable
 * {@link dev.gatehouse.routing.balance.HealthVerdict} the active checker (gatehouse-proxy) and passive reports replace;
 * round robin skips UNHEALTHY endpoints. The state machine is pure functions on the verdict.
 */
package dev.gatehouse.routing.balance;
