package dev.gatehouse.ir;

import java.util.List;

/**
 * Why a policy applies to a route rule, for explain, {@code /routes} and the dashboard. EG's precedence gives a
 * rule the policy of its most specific target (rule, route, listener, Gateway), whole; the translator decides it
 * once, so the views say what the data plane enforces without deciding it again.
 *
 * @param kind "SecurityPolicy" or "BackendTrafficPolicy"
 * @param policy "ns/name"
 * @param target what the policy targets that reached the rule: "HTTPRoute default/shop rule api",
 *               "HTTPRoute default/shop", "listener default/edge/http", "Gateway default/edge"
 * @param displaced the less specific policies of the same kind that also reach the rule and lose to it, each
 *                  "ns/name (its target)"
 */
public record PolicyChoice(String kind, String policy, String target, List<String> displaced) {
    public PolicyChoice {
        displaced = List.copyOf(displaced);
    }

    /** One line: "SecurityPolicy default/keys via HTTPRoute default/shop rule api; overrides default/base (...)". */
    public String describe() {
        return kind + " " + policy + " via " + target + (displaced.isEmpty() ? ""
                : "; overrides " + String.join(", ", displaced));
    }
}
