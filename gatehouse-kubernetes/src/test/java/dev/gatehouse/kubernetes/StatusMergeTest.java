package dev.gatehouse.kubernetes;

import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.ResourceStatus;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StatusMergeTest {
    static final String OURS = "gatehouse.dev/gateway-controller";
    static final Instant T1 = Instant.parse("2026-12-01T10:00:00.123Z");
    static final Instant T2 = Instant.parse("2026-12-01T11:00:00Z");
    static final Condition ACCEPTED = new Condition("Accepted", "True", "Accepted", "ok");
    static final Condition RESOLVED = new Condition("ResolvedRefs", "True", "ResolvedRefs", "ok");
    static final Condition NOT_RESOLVED = new Condition("ResolvedRefs", "False", "BackendNotFound", "no Service");

    @Test
    void aConditionKeepsItsTransitionTimeWhileItsStatusStaysAndCarriesTheGeneration() {
        HTTPRoute route = route(3L, null);
        HTTPRouteStatus first = new StatusMerge(OURS, T1).httpRoute(route, routeStatus(ACCEPTED, RESOLVED));
        assertThat(first.getParents()).singleElement().satisfies(p -> {
            assertThat(p.getControllerName()).isEqualTo(OURS);
            assertThat(p.getParentRef().getName()).isEqualTo("edge");
            assertThat(p.getConditions()).allSatisfy(c -> {
                assertThat(c.getLastTransitionTime()).isEqualTo("2026-12-01T10:00:00Z");
                assertThat(c.getObservedGeneration()).isEqualTo(3L);
            });
        });

        HTTPRoute written = route(4L, first);
        HTTPRouteStatus second = new StatusMerge(OURS, T2).httpRoute(written, routeStatus(ACCEPTED, NOT_RESOLVED));
        List<io.fabric8.kubernetes.api.model.Condition> conditions = second.getParents().get(0).getConditions();
        assertThat(conditions.get(0).getLastTransitionTime()).isEqualTo("2026-12-01T10:00:00Z"); // Accepted: still True
        assertThat(conditions.get(1).getLastTransitionTime()).isEqualTo("2026-12-01T11:00:00Z"); // ResolvedRefs flipped
        assertThat(conditions).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(4L));
    }

    @Test
    void anUnchangedStatusIsNotWrittenAgain() {
        HTTPRouteStatus first = new StatusMerge(OURS, T1).httpRoute(route(1L, null), routeStatus(ACCEPTED, RESOLVED));
        assertThat(new StatusMerge(OURS, T2).httpRoute(route(1L, first), routeStatus(ACCEPTED, RESOLVED))).isNull();
    }

    @Test
    void otherControllersParentEntriesStayAndOursAreReplaced() {
        RouteParentStatus theirs = new RouteParentStatus(List.of(new ConditionBuilder().withType("Accepted")
                .withStatus("True").withReason("Accepted").withMessage("")
                .withLastTransitionTime("2020-01-01T00:00:00Z").build()),
                "example.com/other", new ParentReferenceBuilder().withName("edge").build());
        RouteParentStatus staleOurs = new RouteParentStatus(List.of(), OURS,
                new ParentReferenceBuilder().withName("gone").build());
        HTTPRouteStatus merged = new StatusMerge(OURS, T1).httpRoute(
                route(1L, new HTTPRouteStatus(List.of(theirs, staleOurs))), routeStatus(ACCEPTED, RESOLVED));
        assertThat(merged.getParents()).hasSize(2);
        assertThat(merged.getParents().get(0)).isEqualTo(theirs);
        assertThat(merged.getParents().get(1).getControllerName()).isEqualTo(OURS);
        assertThat(merged.getParents().get(1).getParentRef().getName()).isEqualTo("edge");
    }

    @Test
    void aGrpcRouteIsMergedAsAnHttpRoute() {
        RouteParentStatus theirs = new RouteParentStatus(List.of(), "example.com/other",
                new ParentReferenceBuilder().withName("edge").build());
        GRPCRoute route = new GRPCRouteBuilder().withNewMetadata().withName("echo").withNamespace("default")
                .withGeneration(3L).endMetadata()
                .withNewSpec().addNewParentRef().withName("edge").endParentRef().endSpec()
                .withStatus(new GRPCRouteStatus(List.of(theirs))).build();
        GRPCRouteStatus merged = new StatusMerge(OURS, T1).grpcRoute(route, routeStatus(ACCEPTED, RESOLVED));
        assertThat(merged.getParents()).hasSize(2);
        assertThat(merged.getParents().get(0)).isEqualTo(theirs);
        assertThat(merged.getParents().get(1).getConditions()).allSatisfy(c ->
                assertThat(c.getObservedGeneration()).isEqualTo(3L));
        route.setStatus(merged);
        assertThat(new StatusMerge(OURS, T2).grpcRoute(route, routeStatus(ACCEPTED, RESOLVED))).isNull();
    }

    @Test
    void aListenerSetParentAndAGatewayParentOfTheSameNameEachGetTheirOwnEntry() {
        HTTPRoute route = new HTTPRouteBuilder().withNewMetadata().withName("echo").withNamespace("default")
                .withGeneration(1L).endMetadata().withNewSpec()
                .addNewParentRef().withName("edge").endParentRef()
                .addNewParentRef().withGroup("gateway.networking.k8s.io").withKind("ListenerSet").withName("edge")
                .withSectionName("web").endParentRef().endSpec().build();
        Condition refused = new Condition("Accepted", "False", "NotAllowedByListeners", "no");
        ResourceStatus computed = new ResourceStatus("HTTPRoute", "default", "echo", List.of(), List.of(), List.of(
                new ResourceStatus.ParentStatus("Gateway default/edge", OURS, List.of(ACCEPTED, RESOLVED)),
                new ResourceStatus.ParentStatus("ListenerSet default/edge/web", OURS, List.of(refused, RESOLVED))));
        HTTPRouteStatus merged = new StatusMerge(OURS, T1).httpRoute(route, computed);
        assertThat(merged.getParents()).hasSize(2);
        assertThat(merged.getParents().get(0).getConditions().get(0).getStatus()).isEqualTo("True");
        assertThat(merged.getParents().get(1).getParentRef().getKind()).isEqualTo("ListenerSet");
        assertThat(merged.getParents().get(1).getConditions().get(0).getReason()).isEqualTo("NotAllowedByListeners");
    }

    @Test
    void aListenerSetGetsItsConditionsAndListenersAndItsGatewayTheCount() {
        ListenerSet set = new ListenerSetBuilder().withNewMetadata().withName("team").withNamespace("apps")
                .withGeneration(2L).endMetadata().build();
        ResourceStatus computed = new ResourceStatus("ListenerSet", "apps", "team", List.of(ACCEPTED),
                List.of(new ResourceStatus.ListenerStatus("web", 3, List.of("HTTPRoute"), List.of(ACCEPTED))), List.of());
        ListenerSetStatus status = new StatusMerge(OURS, T1).listenerSet(set, computed);
        assertThat(status.getConditions()).singleElement().satisfies(c -> assertThat(c.getObservedGeneration())
                .isEqualTo(2L));
        assertThat(status.getListeners()).singleElement().satisfies(l -> {
            assertThat(l.getAttachedRoutes()).isEqualTo(3);
            assertThat(l.getSupportedKinds()).singleElement().satisfies(k -> assertThat(k.getKind()).isEqualTo("HTTPRoute"));
        });
        set.setStatus(status);
        assertThat(new StatusMerge(OURS, T2).listenerSet(set, computed)).isNull();

        Gateway gateway = new GatewayBuilder().withNewMetadata().withName("edge").withNamespace("default")
                .withGeneration(1L).endMetadata().build();
        ResourceStatus gatewayStatus = new ResourceStatus("Gateway", "default", "edge", List.of(ACCEPTED), List.of(),
                List.of(), 1);
        assertThat(new StatusMerge(OURS, T1).gateway(gateway, gatewayStatus, null).getAttachedListenerSets()).isEqualTo(1);
    }

    @Test
    void anotherControllersGatewayClassIsNotWritten() {
        GatewayClass theirs = new GatewayClassBuilder().withNewMetadata().withName("other").withGeneration(1L)
                .endMetadata().withNewSpec().withControllerName("example.com/other").endSpec().build();
        assertThat(new StatusMerge(OURS, T1).gatewayClass(theirs, new ResourceStatus("GatewayClass", null, "other",
                List.of(new Condition("Accepted", "False", "InvalidParameters", "not ours")), List.of(), List.of())))
                .isNull();
    }

    /** gatehouse assigns no address: spec.addresses may ask for the published ones, anything else gets the spec's reason. */
    @Test
    void aGatewaysRequestedAddressesAreHonouredOnlyWhenPublished() {
        List<String> published = List.of("10.0.0.1", "10.0.0.2");
        assertThat(requesting("IPAddress", "10.0.0.2").gateway(published)).satisfies(s -> {
            assertThat(s.getAddresses()).extracting(a -> a.getValue()).containsExactly("10.0.0.2");
            assertThat(condition(s, "Programmed")).isEqualTo("True Programmed");
        });
        assertThat(condition(requesting("IPAddress", "203.0.113.9").gateway(published), "Programmed"))
                .isEqualTo("False AddressNotUsable");
        assertThat(condition(requesting("IPAddress", null).gateway(published), "Programmed"))
                .isEqualTo("False AddressNotAssigned");
        GatewayStatus named = requesting("NamedAddress", "pool-a").gateway(published);
        assertThat(condition(named, "Accepted")).isEqualTo("False UnsupportedAddress");
        assertThat(condition(named, "Programmed")).isEqualTo("False Invalid");
        assertThat(named.getAddresses()).extracting(a -> a.getValue()).containsExactly("10.0.0.1", "10.0.0.2");
    }

    private record Requesting(Gateway gw, ResourceStatus computed) {
        GatewayStatus gateway(List<String> published) {
            return new StatusMerge(OURS, T1).gateway(gw, computed, published);
        }
    }

    private static Requesting requesting(String type, String value) {
        Gateway gw = new GatewayBuilder().withNewMetadata().withName("edge").withNamespace("default")
                .withGeneration(1L).endMetadata().withNewSpec().addNewAddress().withType(type).withValue(value)
                .endAddress().endSpec().build();
        return new Requesting(gw, new ResourceStatus("Gateway", "default", "edge", List.of(
                new Condition("Accepted", "True", "Accepted", ""), new Condition("Programmed", "True", "Programmed", "")),
                List.of(), List.of()));
    }

    private static String condition(GatewayStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).map(c -> c.getStatus() + " "
                + c.getReason()).findFirst().orElseThrow();
    }

    @Test
    void aGatewayGetsItsListenersAndAddresses() {
        Gateway gw = new GatewayBuilder().withNewMetadata().withName("edge").withNamespace("default")
                .withGeneration(2L).endMetadata().build();
        ResourceStatus computed = new ResourceStatus("Gateway", "default", "edge",
                List.of(new Condition("Programmed", "True", "Programmed", "")),
                List.of(new ResourceStatus.ListenerStatus("web", 3, List.of("HTTPRoute"),
                        List.of(new Condition("Programmed", "True", "Programmed", "")))), List.of());
        GatewayStatus status = new StatusMerge(OURS, T1).gateway(gw, computed, List.of("10.0.0.1", "node-1.example"));
        assertThat(status.getListeners()).singleElement().satisfies(l -> {
            assertThat(l.getAttachedRoutes()).isEqualTo(3);
            assertThat(l.getSupportedKinds()).singleElement().satisfies(k -> {
                assertThat(k.getGroup()).isEqualTo("gateway.networking.k8s.io");
                assertThat(k.getKind()).isEqualTo("HTTPRoute");
            });
            assertThat(l.getConditions().get(0).getObservedGeneration()).isEqualTo(2L);
        });
        assertThat(status.getAddresses()).extracting(a -> a.getType() + " " + a.getValue())
                .containsExactly("IPAddress 10.0.0.1", "Hostname node-1.example");
        gw.setStatus(status);
        assertThat(new StatusMerge(OURS, T2).gateway(gw, computed, null)).as("addresses null: kept").isNull();
    }

    @Test
    void aBackendTlsPolicyGetsOneAncestorPerGatewayAndOtherControllersAncestorsStay() {
        var theirs = new io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus(
                new io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference(
                        "gateway.networking.k8s.io", "Gateway", "mesh", "default", null, null),
                List.of(), "example.com/other");
        var policy = new io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyBuilder().withNewMetadata()
                .withName("tls").withNamespace("apps").withGeneration(4L).endMetadata()
                .withNewStatus().withAncestors(theirs).endStatus().build();
        ResourceStatus computed = new ResourceStatus("BackendTLSPolicy", "apps", "tls", List.of(), List.of(),
                List.of(new ResourceStatus.ParentStatus("Gateway infra/edge", OURS, List.of(
                        new Condition("Accepted", "False", "NoValidCACertificate", "no caCertificateRef is valid"),
                        new Condition("ResolvedRefs", "False", "InvalidCACertificateRef", "missing")))));
        var status = new StatusMerge(OURS, T1).policy(policy, policy.getStatus(), computed);
        assertThat(status.getAncestors()).hasSize(2).first().isEqualTo(theirs);
        assertThat(status.getAncestors().get(1)).satisfies(a -> {
            assertThat(a.getControllerName()).isEqualTo(OURS);
            assertThat(a.getAncestorRef().getKind()).isEqualTo("Gateway");
            assertThat(a.getAncestorRef().getNamespace() + "/" + a.getAncestorRef().getName()).isEqualTo("infra/edge");
            assertThat(a.getConditions()).extracting(c -> c.getReason() + " " + c.getObservedGeneration())
                    .containsExactly("NoValidCACertificate 4", "InvalidCACertificateRef 4");
        });
        policy.setStatus(status);
        assertThat(new StatusMerge(OURS, T2).policy(policy, status, computed)).as("unchanged").isNull();
        var none = new ResourceStatus("BackendTLSPolicy", "apps", "tls", List.of(), List.of(), List.of());
        assertThat(new StatusMerge(OURS, T2).policy(policy, status, none).getAncestors()).containsExactly(theirs);
    }

    static HTTPRoute route(long generation, HTTPRouteStatus status) {
        return new HTTPRouteBuilder().withNewMetadata().withName("echo").withNamespace("default")
                .withGeneration(generation).endMetadata()
                .withNewSpec().addNewParentRef().withName("edge").endParentRef().endSpec()
                .withStatus(status).build();
    }

    static ResourceStatus routeStatus(Condition... conditions) {
        return new ResourceStatus("HTTPRoute", "default", "echo", List.of(), List.of(),
                List.of(new ResourceStatus.ParentStatus("Gateway default/edge", OURS, List.of(conditions))));
    }
}
