package dev.gatehouse.translate;

import java.util.ArrayList;
import java.util.List;

/**
 * What went wrong while translating one route. Unresolved references only degrade the route (the spec wants
 * the rest served, with 500 for the broken share); an unsupported value rejects the whole route.
 */
final class RouteProblems {
    private final List<Condition> unresolved = new ArrayList<>();
    private final List<String> unsupported = new ArrayList<>();

    void unresolved(Condition condition) {
        unresolved.add(condition);
    }

    void unsupported(String message) {
        unsupported.add(message);
    }

    /** The route's ResolvedRefs condition: the first failure in rule order, or True. */
    Condition resolvedRefs() {
        return unresolved.isEmpty() ? Conditions.routeResolvedRefs() : unresolved.get(0);
    }

    /** Accepted=False UnsupportedValue when the route cannot be served at all, else {@code null}. */
    Condition rejection() {
        return unsupported.isEmpty() ? null : Conditions.routeUnsupportedValue(String.join("; ", unsupported));
    }
}
