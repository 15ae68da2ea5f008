/**
 * Active endpoint health checks: {@link dev.gatehouse.proxy.health.HealthChecker} probes every endpoint of the
 * served snapshot with a TCP connect on the gateway's own event loops (no extra threads, nothing blocks) and feeds
 * the verdicts into the routing module's {@link dev.gatehouse.routing.balance.EndpointHealthRegistry}, which the
 * balancers consult.
 */
package dev.gatehouse.proxy.health;
