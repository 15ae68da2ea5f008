package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteNamespaces;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attaches a translated route (HTTPRoute, GRPCRoute, TCPRoute, TLSRoute) to the listeners its parentRefs select, and computes one parent status
 * per parentRef that names one of our Gateways (others belong to other controllers: no status from us).
 */
final class RouteAttacher {
    private final Map<String, List<ListenerState>> listenersByGateway;
    private final ResourceIndex index;

    /** @param listenersByGateway our Gateways' listeners by "namespace/name" */
    RouteAttacher(Map<String, List<ListenerState>> listenersByGateway, ResourceIndex index) {
        this.listenersByGateway = listenersByGateway;
        this.index = index;
    }

    /** What a route leaves on a listener that takes it, under the effective hostnames there. */
    interface Attachment {
        void attach(ListenerState listener, List<String> effectiveHostnames);
    }

    /** @param attached receives {@code true} when some listener took the route */
    List<ResourceStatus.ParentStatus> attach(HTTPRoute route, HttpRouteTranslator.Result result, String controllerName,
                                             boolean[] attached) {
        return attach(route, GatewayTranslator.HTTP_ROUTE, route.getSpec().getParentRefs(), route.getSpec().getHostnames(),
                result.rejection(), result.resolvedRefs(),
                (l, effective) -> effective.forEach(h -> result.rules().forEach(rule -> l.attach(rule, h))),
                controllerName, attached);
    }

    /**
     * Any route kind: listeners take it when they list {@code kind} among their supported kinds.
     *
     * @param hostnames the route's hostnames as written (null or empty: any)
     * @param rejection Accepted=False for a route that must not be served, else {@code null}
     * @param attached receives {@code true} when some listener took the route
     */
    List<ResourceStatus.ParentStatus> attach(HasMetadata route, String kind, List<ParentReference> parentRefs,
                                             List<String> hostnames, Condition rejection, Condition resolvedRefs,
                                             Attachment attachment, String controllerName, boolean[] attached) {
        String routeNs = ResourceIndex.namespace(route);
        String routeKey = kind + " " + ResourceIndex.qualifiedName(route);
        List<String> normalized = hostnames == null ? List.of()
                : hostnames.stream().map(Hostnames::normalize).distinct().toList();
        List<ResourceStatus.ParentStatus> out = new ArrayList<>();
        for (ParentReference ref : parentRefs == null ? List.<ParentReference>of() : parentRefs) {
            String group = ref.getGroup() == null ? ReferenceGrants.GATEWAY_GROUP : ref.getGroup();
            String refKind = ref.getKind() == null ? "Gateway" : ref.getKind();
            String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? routeNs : ref.getNamespace();
            List<ListenerState> listeners = listenersByGateway.get(ns + "/" + ref.getName());
            if (!group.equals(ReferenceGrants.GATEWAY_GROUP) || !refKind.equals("Gateway") || listeners == null) {
                continue;
            }
            Condition accepted = rejection != null ? rejection
                    : attachTo(listeners, ref, kind, routeNs, routeKey, normalized, attachment, attached);
            out.add(new ResourceStatus.ParentStatus(describe(ref, ns), controllerName, List.of(accepted, resolvedRefs)));
        }
        return out;
    }

    private Condition attachTo(List<ListenerState> listeners, ParentReference ref, String kind, String routeNs,
                               String routeKey, List<String> hostnames, Attachment attachment, boolean[] attached) {
        List<ListenerState> selected = listeners.stream()
                .filter(l -> ref.getSectionName() == null || ref.getSectionName().equals(l.name()))
                .filter(l -> ref.getPort() == null || ref.getPort() == l.port())
                .toList();
        if (selected.isEmpty()) {
            return Conditions.routeNoMatchingParent("no listener matches "
                    + (ref.getSectionName() != null ? "sectionName " + ref.getSectionName() : "")
                    + (ref.getSectionName() != null && ref.getPort() != null ? " and " : "")
                    + (ref.getPort() != null ? "port " + ref.getPort() : ""));
        }
        List<ListenerState> allowed = selected.stream()
                .filter(ListenerState::acceptsRoutes)
                .filter(l -> l.supportedKinds.contains(kind))
                .filter(l -> namespaceAllowed(l, routeNs))
                .toList();
        if (allowed.isEmpty()) {
            return Conditions.routeNotAllowedByListeners();
        }
        boolean any = false;
        String rival = null;
        boolean httpFamily = kind.equals(GatewayTranslator.HTTP_ROUTE) || kind.equals(GrpcRouteTranslator.GRPC_ROUTE);
        for (ListenerState l : allowed) {
            List<String> effective = Hostnames.intersect(l.hostname, hostnames);
            if (effective.isEmpty()) {
                continue;
            }
            // Routes are attached oldest first, so the one already here is the one the spec keeps.
            String holder = httpFamily ? l.rivalOf(kind, effective) : null;
            if (holder != null) {
                rival = holder;
                continue;
            }
            any = true;
            // Two parentRefs may select the same listener; its rules must be there once.
            if (l.attachedRoutes.add(routeKey)) {
                if (httpFamily) {
                    l.claim(routeKey, effective);
                }
                attachment.attach(l, effective);
            }
        }
        if (!any) {
            return rival != null ? Conditions.routeHostnameConflict(rival)
                    : Conditions.routeNoMatchingListenerHostname();
        }
        attached[0] = true;
        return Conditions.routeAccepted();
    }

    private boolean namespaceAllowed(ListenerState l, String routeNs) {
        RouteNamespaces namespaces = l.listener.getAllowedRoutes() == null ? null
                : l.listener.getAllowedRoutes().getNamespaces();
        String from = namespaces == null || namespaces.getFrom() == null ? "Same" : namespaces.getFrom();
        return switch (from) {
            case "All" -> true;
            case "Selector" -> namespaces.getSelector() != null
                    && NamespaceSelector.matches(namespaces.getSelector(), index.labelsOf(routeNs));
            default -> routeNs.equals(ResourceIndex.namespace(l.gateway));
        };
    }

    /** "Gateway ns/name[/sectionName][:port]", as {@link ResourceStatus.ParentStatus} documents. */
    static String describe(ParentReference ref, String namespace) {
        return ResourceStatus.ParentStatus.gatewayRef(namespace, ref.getName(), ref.getSectionName(), ref.getPort());
    }
}
