package dev.gatehouse.ir;

/**
 * Names a rule of a route.
 *
 * @param kind "HTTPRoute"
 * @param namespace route namespace
 * @param name route name
 * @param ruleIndex index of the rule within the route
 * @param ruleName the rule's optional {@code name}, or {@code null}
 * @param matchIndex index of the match within the rule
 */
public record RouteRef(String kind, String namespace, String name, int ruleIndex, String ruleName, int matchIndex) {
    /** "namespace/name" */
    public String qualifiedName() {
        return namespace + "/" + name;
    }

    /** "namespace/name#rule": the rule as logs, metrics and spans name it, the same for every match of a rule. */
    public String ruleLabel() {
        return qualifiedName() + '#' + ruleIndex;
    }
}
