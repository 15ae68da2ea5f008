package dev.gatehouse.app.doctor;

import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.ResourceStatus;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UnattachedRoutesTest {
    static ResourceStatus route(String name, String parentRef, Condition accepted) {
        return new ResourceStatus("HTTPRoute", "default", name, List.of(), List.of(),
                List.of(new ResourceStatus.ParentStatus(parentRef, "gatehouse.dev/gateway-controller",
                        List.of(accepted, new Condition("ResolvedRefs", "True", "ResolvedRefs", "ok")))));
    }

    static final ResourceStatus EDGE = new ResourceStatus("Gateway", "default", "edge", List.of(), List.of(
            new ResourceStatus.ListenerStatus("web", 1, List.of("HTTPRoute"), List.of()),
            new ResourceStatus.ListenerStatus("admin", 0, List.of("HTTPRoute"), List.of())), List.of());

    @Test
    void parentRefsNameTheirGatewayWhateverSectionOrPortFollows() {
        assertThat(UnattachedRoutes.gatewayOf("Gateway default/edge")).isEqualTo("default/edge");
        assertThat(UnattachedRoutes.gatewayOf("Gateway default/edge/https")).isEqualTo("default/edge");
        assertThat(UnattachedRoutes.gatewayOf("Gateway default/edge:8443")).isEqualTo("default/edge");
        assertThat(UnattachedRoutes.gatewayOf("Gateway infra/edge/https:8443")).isEqualTo("infra/edge");
    }

    @Test
    void onlyRoutesNotAcceptedAreListedAndAMissingSectionNamesTheListenersThereAre() {
        UnattachedRoutes u = new UnattachedRoutes(List.of(EDGE,
                route("ok", "Gateway default/edge", new Condition("Accepted", "True", "Accepted", "Route is accepted")),
                route("shop", "Gateway default/edge/https", new Condition("Accepted", "False", "NoMatchingParent",
                        "no listener matches sectionName https")),
                route("other", "Gateway infra/edge", new Condition("Accepted", "False", "NotAllowedByListeners",
                        "no listener of the parent allows this route (namespace or kind)"))));
        assertThat(u.all()).extracting(UnattachedRoute::route).containsExactly("HTTPRoute default/shop", "HTTPRoute default/other");
        assertThat(u.targeting(List.of("default/edge"))).singleElement().satisfies(r -> assertThat(r.describe())
                .isEqualTo("HTTPRoute default/shop not attached to Gateway default/edge/https: NoMatchingParent: "
                        + "no listener matches sectionName https; listeners are: web, admin"));
        assertThat(u.targeting(List.of("infra/edge")).get(0).message())
                .isEqualTo("no listener of the parent allows this route (namespace or kind)");
    }
}
