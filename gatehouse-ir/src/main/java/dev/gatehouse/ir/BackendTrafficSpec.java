package dev.gatehouse.ir;

/**
 * The effective {@code BackendTrafficPolicy} (gatehouse.dev/v1alpha1, Envoy Gateway's shape) of a cluster: the one
 * most specific policy that reaches the route rule (rule, route, listener, Gateway; it wins whole, no per-field
 * fallback). {@code null} components mean "not set": the gateway's defaults (the CLI's flags) apply.
 *
 * <p>A rule with a policy gets its own cluster (named {@code ns/svc:port@policy-ns/policy-name}), so two rules
 * sending to one Service with different policies balance, check and limit independently, as Envoy Gateway's
 * per-route clusters do. Endpoint health stays keyed by address: an endpoint has one verdict.
 *
 * @param policy "namespace/name" of the policy, for explain, /backends and logs
 * @param loadBalancer {@code spec.loadBalancer}
 * @param activeHealthCheck {@code spec.healthCheck.active}
 * @param passiveHealthCheck {@code spec.healthCheck.passive}
 * @param panicThreshold {@code spec.healthCheck.panicThreshold}, percent of healthy endpoints below which traffic
 *                       goes to all of them; {@code null} = our default (panic only when none is healthy)
 * @param timeout {@code spec.timeout}
 * @param circuitBreaker {@code spec.circuitBreaker}
 * @param retry {@code spec.retry}; the rule's own {@code retry} field takes precedence (see HttpRuleSpec#retry)
 */
public record BackendTrafficSpec(String policy, LoadBalancerSpec loadBalancer, ActiveHealthCheckSpec activeHealthCheck,
                                 PassiveHealthCheckSpec passiveHealthCheck, Integer panicThreshold,
                                 BackendTimeoutSpec timeout, CircuitBreakerSpec circuitBreaker, RetrySpec retry) {
}
