package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The TCPRoute, TLSRoute and UDPRoute model classes of every version we watch, seen through what the status writer
 * needs: their parentRefs, their status.parents, and a copy with new status.parents. The versions share
 * ParentReference and RouteParentStatus but each has its own route, spec and status classes.
 */
final class L4RouteKinds {
    /** One model class. */
    record Kind(String kind, Class<? extends HasMetadata> type, Function<HasMetadata, List<ParentReference>> parentRefs,
                Function<HasMetadata, List<RouteParentStatus>> parents,
                BiFunction<HasMetadata, List<RouteParentStatus>, HasMetadata> withParents) { }

    static final List<Kind> ALL = List.of(
            new Kind("TCPRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute.class,
                    o -> tcpV1(o).getSpec() == null ? null : tcpV1(o).getSpec().getParentRefs(),
                    o -> tcpV1(o).getStatus() == null ? null : tcpV1(o).getStatus().getParents(),
                    (o, p) -> new io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteBuilder(tcpV1(o))
                            .withStatus(new io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteStatus(p)).build()),
            new Kind("TCPRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute.class,
                    o -> tcpV1a2(o).getSpec() == null ? null : tcpV1a2(o).getSpec().getParentRefs(),
                    o -> tcpV1a2(o).getStatus() == null ? null : tcpV1a2(o).getStatus().getParents(),
                    (o, p) -> new io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRouteBuilder(tcpV1a2(o))
                            .withStatus(new io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRouteStatus(p)).build()),
            new Kind("TLSRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute.class,
                    o -> tlsV1(o).getSpec() == null ? null : tlsV1(o).getSpec().getParentRefs(),
                    o -> tlsV1(o).getStatus() == null ? null : tlsV1(o).getStatus().getParents(),
                    (o, p) -> new io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteBuilder(tlsV1(o))
                            .withStatus(new io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteStatus(p)).build()),
            new Kind("TLSRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.TLSRoute.class,
                    o -> tlsV1a3(o).getSpec() == null ? null : tlsV1a3(o).getSpec().getParentRefs(),
                    o -> tlsV1a3(o).getStatus() == null ? null : tlsV1a3(o).getStatus().getParents(),
                    // v1alpha3 already uses the v1 status class
                    (o, p) -> new io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.TLSRouteBuilder(tlsV1a3(o))
                            .withStatus(new io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteStatus(p)).build()),
            new Kind("TLSRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute.class,
                    o -> tlsV1a2(o).getSpec() == null ? null : tlsV1a2(o).getSpec().getParentRefs(),
                    o -> tlsV1a2(o).getStatus() == null ? null : tlsV1a2(o).getStatus().getParents(),
                    (o, p) -> new io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRouteBuilder(tlsV1a2(o))
                            .withStatus(new io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRouteStatus(p)).build()),
            new Kind("UDPRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute.class,
                    o -> udpV1(o).getSpec() == null ? null : udpV1(o).getSpec().getParentRefs(),
                    o -> udpV1(o).getStatus() == null ? null : udpV1(o).getStatus().getParents(),
                    (o, p) -> new io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteBuilder(udpV1(o))
                            .withStatus(new io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteStatus(p)).build()),
            new Kind("UDPRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.UDPRoute.class,
                    o -> udpV1a2(o).getSpec() == null ? null : udpV1a2(o).getSpec().getParentRefs(),
                    o -> udpV1a2(o).getStatus() == null ? null : udpV1a2(o).getStatus().getParents(),
                    (o, p) -> new io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.UDPRouteBuilder(udpV1a2(o))
                            .withStatus(new io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.UDPRouteStatus(p)).build()));

    private L4RouteKinds() {
    }

    private static io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute tcpV1(HasMetadata o) {
        return (io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute) o;
    }

    private static io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute tcpV1a2(HasMetadata o) {
        return (io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute) o;
    }

    private static io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute tlsV1(HasMetadata o) {
        return (io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute) o;
    }

    private static io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.TLSRoute tlsV1a3(HasMetadata o) {
        return (io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.TLSRoute) o;
    }

    private static io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute tlsV1a2(HasMetadata o) {
        return (io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute) o;
    }

    private static io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute udpV1(HasMetadata o) {
        return (io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute) o;
    }

    private static io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.UDPRoute udpV1a2(HasMetadata o) {
        return (io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.UDPRoute) o;
    }
}
