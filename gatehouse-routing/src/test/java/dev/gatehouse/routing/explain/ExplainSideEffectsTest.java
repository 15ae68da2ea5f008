package dev.gatehouse.routing.explain;

import dev.gatehouse.routing.explain.Explanation.OutcomeKind;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.route.Route;
import dev.gatehouse.routing.balance.EndpointHealthRegistry;
import dev.gatehouse.routing.balance.HealthPolicy;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A request that was never sent leaves no trace: balancer positions and round-robin counters stay put. */
class ExplainSideEffectsTest {
    private static final ExplainRequest WEIGHTED = ExplainRequest.parse("GET", "http://shop.example.com/v1/cart",
            List.of("x-env: staging"));

    private static List<String> picks(RuntimeSnapshot runtime) {
        HttpExchange exchange = WEIGHTED.toExchange();
        Route route = runtime.httpRouter(80).route(exchange);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            var backend = route.pickBackend();
            out.add(backend.cluster().name() + "@" + backend.cluster().pick());
        }
        return out;
    }

    @Test
    void explainDoesNotAdvanceBalancersOrRunMirrors() {
        RuntimeSnapshot untouched = ShopSnapshot.runtime();
        RuntimeSnapshot explained = ShopSnapshot.runtime();
        for (int i = 0; i < 5; i++) {
            Explanation e = RouteExplainer.explain(explained, WEIGHTED);
            assertThat(e.outcome().kind()).isEqualTo(OutcomeKind.PROXIED);
            assertThat(e.filters()).extracting(Explanation.FilterExplanation::type)
                    .containsExactly("URLRewrite", "RequestHeaderModifier", "RequestMirror");
        }
        assertThat(picks(explained)).isEqualTo(picks(untouched));
    }

    @Test
    void sharesAddUpAndInvalidReasonsAreKept() {
        Explanation e = RouteExplainer.explain(ShopSnapshot.runtime(), WEIGHTED);
        assertThat(e.backends()).extracting(Explanation.BackendExplanation::sharePercent).containsExactly(75.0, 25.0, 0.0);
        Explanation broken = RouteExplainer.explain(ShopSnapshot.runtime(),
                ExplainRequest.parse("GET", "http://shop.example.com/broken", List.of()));
        assertThat(broken.outcome()).isEqualTo(new Explanation.Outcome(OutcomeKind.INVALID_BACKEND, 500,
                "500 invalid backendRef: BackendNotFound: Service default/gone not found"));
        assertThat(broken.withNotes(List.of("HTTPRoute default/shop: ResolvedRefs False")).notes())
                .containsExactly("HTTPRoute default/shop: ResolvedRefs False");
    }

    @Test
    void endpointsShowTheHealthTheGatewayKnows() {
        EndpointHealthRegistry health = new EndpointHealthRegistry(HealthPolicy.withActiveChecks());
        RuntimeSnapshot runtime = new SnapshotCompiler(health).compile(ShopSnapshot.snapshot(), null);
        health.endpoint(new InetSocketAddress("10.0.1.1", 8080), "default/shop-v2:80").probeFailed("HTTP 503");
        health.find(new InetSocketAddress("10.0.1.1", 8080)).probeFailed("HTTP 503");
        Explanation e = RouteExplainer.explain(runtime, WEIGHTED);
        assertThat(e.backends()).flatExtracting(Explanation.BackendExplanation::endpoints)
                .contains("10.0.1.1:8080 (unhealthy: HTTP 503)");
        assertThat(RouteExplainer.explain(ShopSnapshot.runtime(), WEIGHTED).backends())
                .flatExtracting(Explanation.BackendExplanation::endpoints).as("nothing known: bare addresses")
                .contains("10.0.1.1:8080");
    }
}
