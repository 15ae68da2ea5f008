package dev.gatehouse.routing.route;

import dev.gatehouse.ir.PolicyChoice;
import dev.gatehouse.ir.RetrySpec;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.SessionPersistenceSpec;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.balance.BalancedCluster;
import dev.gatehouse.routing.balance.HashKey;
import dev.gatehouse.routing.balance.PickContext;
import dev.gatehouse.routing.balance.SmoothWeightedRoundRobin;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.session.SessionAffinity;
import dev.gatehouse.routing.filter.HttpFilter;

import java.util.List;

/**
 * One match of one HTTPRoute rule as served on one listener: its matcher, filters, weighted backends and
 * timeouts. Immutable apart from the balancer's counter; shared by all event loops.
 */
public final class CompiledRoute implements Route {
    private final RouteRef ref;
    private final String label;
    private final String listener;
    private final RequestMatcher matcher;
    private final List<HttpFilter> filters;
    private final List<Backend> backends;
    private final List<Integer> weights;
    private final SmoothWeightedRoundRobin<Backend> balancer;
    /**
     * The backend every pick returns when the rule has one backendRef of positive weight (most rules), read
     * from the route itself: with traffic over ~1,000 of 10,000 routes the balancer and its list were two
     * dependent cache misses a request that picked nothing. Session affinity still resolves first.
     */
    private final Backend single;
    /** The key of the first backend cluster that hashes: backendRefs are then chosen by it; else null. */
    private final HashKey hashKey;
    /** Seeds of {@code balancer.items()} for the consistent choice, from each backend's identity. */
    private final long[] seeds;
    private final boolean random;
    private final TimeoutSpec timeouts;
    private final SessionAffinity session;
    private final RetrySpec retry;
    private final List<PolicyChoice> policies;
    /** Set once by the server before the snapshot is published (the publication's volatile write orders it). */
    private Object observation;

    CompiledRoute(RouteRef ref, String listener, RequestMatcher matcher, List<HttpFilter> filters,
                  List<Backend> backends, List<Integer> weights, TimeoutSpec timeouts) {
        this(ref, listener, matcher, filters, backends, weights, timeouts, null, null);
    }

    CompiledRoute(RouteRef ref, String listener, RequestMatcher matcher, List<HttpFilter> filters,
                  List<Backend> backends, List<Integer> weights, TimeoutSpec timeouts,
                  SessionPersistenceSpec sessionPersistence, RetrySpec retry) {
        this(ref, listener, matcher, filters, backends, weights, timeouts, sessionPersistence, retry, List.of());
    }

    CompiledRoute(RouteRef ref, String listener, RequestMatcher matcher, List<HttpFilter> filters,
                  List<Backend> backends, List<Integer> weights, TimeoutSpec timeouts,
                  SessionPersistenceSpec sessionPersistence, RetrySpec retry, List<PolicyChoice> policies) {
        this.policies = policies == null ? List.of() : List.copyOf(policies);
        this.ref = ref;
        this.label = ref.ruleLabel();
        this.listener = listener;
        this.matcher = matcher;
        this.filters = List.copyOf(filters);
        this.backends = List.copyOf(backends);
        this.weights = List.copyOf(weights);
        this.balancer = SmoothWeightedRoundRobin.of(this.backends, this.weights);
        this.single = balancer == null || balancer.items().size() != 1 ? null : balancer.items().get(0);
        HashKey key = null;
        boolean anyRandom = false;
        for (Backend b : this.backends) {
            if (b.cluster() instanceof BalancedCluster c) {
                key = key == null ? c.hashKey() : key;
                anyRandom |= c.picksAtRandom();
            }
        }
        this.hashKey = balancer == null || balancer.items().size() < 2 ? null : key;
        this.random = anyRandom && hashKey == null;
        this.seeds = hashKey == null ? null : balancer.items().stream()
                .mapToLong(b -> (b.cluster() != null ? b.cluster().name() : "invalid " + b.invalidReason()).hashCode()
                        * 0x9e3779b97f4a7c15L)
                .toArray();
        this.timeouts = timeouts == null ? TimeoutSpec.NONE : timeouts;
        this.session = sessionPersistence == null ? null : SessionAffinity.compile(ref, sessionPersistence,
                SessionAffinity.eligible(this.backends.stream().map(Backend::cluster).toList(), this.weights));
        this.retry = retry;
    }

    /** The SecurityPolicy and BackendTrafficPolicy that apply to this rule and why; empty when none. */
    public List<PolicyChoice> policies() {
        return policies;
    }

    /** The {@code ns/name} of the applying policy of {@code kind}, or {@code null}. */
    public String policy(String kind) {
        for (PolicyChoice c : policies) {
            if (c.kind().equals(kind)) {
                return c.policy();
            }
        }
        return null;
    }

    /** Whether the request satisfies this route's match (host was already chosen by the router). */
    public boolean matches(HttpExchange exchange) {
        return matcher.matches(exchange);
    }

    RequestMatcher matcher() {
        return matcher;
    }

    /** Why the request does not satisfy this route's match, or {@code null} when it does; see {@link RequestMatcher#explain}. */
    String explain(HttpExchange exchange) {
        return matcher.explain(exchange);
    }

    /** The match conditions, e.g. {@code PathPrefix /v1 method=GET header:x-env=prod}. */
    public String describeMatch() {
        return matcher.describe();
    }

    /** The first path segment a matching request must have, or {@code null} for any. */
    String firstPathSegment() {
        return matcher.firstPathSegment();
    }

    @Override
    public RouteRef ref() {
        return ref;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public String listener() {
        return listener;
    }

    @Override
    public List<HttpFilter> filters() {
        return filters;
    }

    @Override
    public Backend pickBackend() {
        return balancer == null ? null : balancer.pick();
    }

    @Override
    public Backend pickBackend(PickContext ctx) {
        if (balancer == null) {
            return null;
        }
        if (session != null) {
            int b = session.resolve(ctx);
            if (b >= 0) {
                return backends.get(b);
            }
        }
        if (single != null) {
            return single;
        }
        if (hashKey != null) {
            long h = hashKey.hash(ctx);
            if (h != HashKey.MISSING) {
                return balancer.pickConsistent(h, seeds);
            }
        }
        return random ? balancer.pickRandom() : balancer.pick();
    }

    @Override
    public TimeoutSpec timeouts() {
        return timeouts;
    }

    @Override
    public SessionAffinity session() {
        return session;
    }

    @Override
    public RetrySpec retry() {
        return retry;
    }

    @Override
    public Object observation() {
        return observation;
    }

    /** Binds observer state (meters); call before the snapshot holding this route is published. */
    public void bindObservation(Object state) {
        this.observation = state;
    }

    /** Every backendRef, weight 0 included, in declared order. */
    public List<Backend> backends() {
        return backends;
    }

    /** The declared weight of each of {@link #backends()}, same order. */
    public List<Integer> weights() {
        return weights;
    }

    /** One line: ref, match, filters, weighted backends; for /config and explain. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(ref.kind()).append(' ').append(ref.qualifiedName()).append(" rule ").append(ref.ruleIndex());
        if (ref.ruleName() != null) {
            sb.append(" (").append(ref.ruleName()).append(')');
        }
        sb.append(" match ").append(ref.matchIndex()).append(": ").append(matcher.describe());
        if (!filters.isEmpty()) {
            sb.append(" filters=").append(filters);
        }
        sb.append(" -> ");
        if (backends.isEmpty()) {
            sb.append("(no backends: 500)");
        }
        for (int i = 0; i < backends.size(); i++) {
            Backend b = backends.get(i);
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(b.cluster() != null ? b.cluster().name() : "invalid(" + b.invalidReason() + ")")
                    .append(" w=").append(weights.get(i));
            if (!b.filters().isEmpty()) {
                sb.append(" filters=").append(b.filters());
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
