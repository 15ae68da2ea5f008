package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteNamespaces;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attaches a translated HTTPRoute to the listeners its parentRefs select, and computes one parent status
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

    /** @param attached receives {@code true} when some listener took the route */
    List<ResourceStatus.ParentStatus> attach(HTTPRoute route, HttpRouteTranslator.Result result, String controllerName,
                                             boolean[] attached) {
        String routeNs = ResourceIndex.namespace(route);
        String routeKey = ResourceIndex.qualifiedName(route);
        List<String> hostnames = route.getSpec().getHostnames() == null ? List.of()
                : route.getSpec().getHostnames().stream().map(Hostnames::normalize).distinct().toList();
        List<ResourceStatus.ParentStatus> out = new ArrayList<>();
        for (ParentReference ref : route.getSpec().getParentRefs() == null ? List.<ParentReference>of()
                : route.getSpec().getParentRefs()) {
            String group = ref.getGroup() == null ? ReferenceGrants.GATEWAY_GROUP : ref.getGroup();
            String kind = ref.getKind() == null ? "Gateway" : ref.getKind();
            String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? routeNs : ref.getNamespace();
            List<ListenerState> listeners = listenersByGateway.get(ns + "/" + ref.getName());
            if (!group.equals(ReferenceGrants.GATEWAY_GROUP) || !kind.equals("Gateway") || listeners == null) {
                continue;
            }
            Condition accepted = result.rejection() != null ? result.rejection()
                    : attachTo(listeners, ref, route, routeNs, routeKey, hostnames, result, attached);
            out.add(new ResourceStatus.ParentStatus(describe(ref, ns), controllerName,
                    List.of(accepted, result.resolvedRefs())));
        }
        return out;
    }

    private Condition attachTo(List<ListenerState> listeners, ParentReference ref, HTTPRoute route, String routeNs,
                               String routeKey, List<String> hostnames, HttpRouteTranslator.Result result,
                               boolean[] attached) {
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
                .filter(l -> l.supportedKinds.contains(GatewayTranslator.HTTP_ROUTE))
                .filter(l -> namespaceAllowed(l, routeNs))
                .toList();
        if (allowed.isEmpty()) {
            return Conditions.routeNotAllowedByListeners();
        }
        boolean any = false;
        for (ListenerState l : allowed) {
            List<String> effective = Hostnames.intersect(l.hostname, hostnames);
            if (effective.isEmpty()) {
                continue;
            }
            any = true;
            // Two parentRefs may select the same listener; its rules must be there once.
            if (l.attachedRoutes.add(routeKey)) {
                for (String h : effective) {
                    result.rules().forEach(rule -> l.attach(rule, h));
                }
            }
        }
        if (!any) {
            return Conditions.routeNoMatchingListenerHostname();
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
