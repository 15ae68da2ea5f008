package dev.gatehouse.routing.route;

import dev.gatehouse.ir.RetrySpec;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.balance.PickContext;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.routing.session.SessionAffinity;

import java.util.List;

/**
 * A compiled HTTPRoute rule (one match of it): filters, weighted backends and timeouts.
 * Immutable and shared by all event loops.
 */
public interface Route {
    RouteRef ref();

    /** {@link RouteRef#ruleLabel()}; read per request, so implementations compute it once. */
    default String label() {
        return ref().ruleLabel();
    }

    /** "Gateway ns/name listener" the request landed on (for logs). */
    String listener();

    /** Rule-level filters, in declared order. */
    List<HttpFilter> filters();

    /**
     * Picks a backend by weight. Called on the request's event loop.
     *
     * @return the chosen backend; {@link Backend#cluster()} is {@code null} when the chosen share belongs
     *         to an invalid backendRef (answer 500); {@code null} when the rule has no backends at all (500)
     */
    Backend pickBackend();

    /**
     * Picks a backend by weight for one request: as {@link #pickBackend()}, but a rule whose clusters hash chooses
     * by the same key (a client stays with one backendRef), and one whose clusters draw at random draws too.
     */
    default Backend pickBackend(PickContext ctx) {
        return pickBackend();
    }

    TimeoutSpec timeouts();

    /** The rule's sessionPersistence, or {@code null}. */
    default SessionAffinity session() {
        return null;
    }

    /** The rule's retry policy (its own {@code retry} field, else its BackendTrafficPolicy's), or {@code null}. */
    default RetrySpec retry() {
        return null;
    }

    /**
     * What the data plane's observers bound to this route when its snapshot was applied (its meters, kept
     * by {@code RouteRef} across reloads), or {@code null} when observability is off. Read per request
     * instead of looking meters up by name.
     */
    default Object observation() {
        return null;
    }
}
