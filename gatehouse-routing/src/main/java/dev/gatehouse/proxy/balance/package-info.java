/**
 * Clusters of endpoints and the balancers that pick among them: {@link dev.gatehouse.proxy.balance.RoundRobinCluster}
 * over a Service's endpoints, {@link dev.gatehouse.proxy.balance.SmoothWeightedRoundRobin} over a rule's
 * weighted backendRefs. Picks are lock-free; endpoints are IP literals resolved at compile time.
 */
package dev.gatehouse.proxy.balance;
