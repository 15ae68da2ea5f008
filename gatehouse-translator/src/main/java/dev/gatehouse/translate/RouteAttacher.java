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
    private final Map<String, List<ListenerState>> listenersBySet;
    private final ResourceIndex index;

    /**
     * @param listenersByGateway our Gateways' own listeners by "namespace/name"
     * @param listenersBySet the listeners of ListenerSets that name a Gateway of ours, by "namespace/name": a route
     *                       reaches them only by naming the ListenerSet (kind ListenerSet) as its parent
     */
    RouteAttacher(Map<String, List<ListenerState>> listenersByGateway, Map<String, List<ListenerState>> listenersBySet,
                  ResourceIndex index) {
        this.listenersByGateway = listenersByGateway;
        this.listenersBySet = listenersBySet;
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
        List<String> normalized = normalized(hostnames);
        List<ResourceStatus.ParentStatus> out = new ArrayList<>();
        for (ParentReference ref : parentRefs == null ? List.<ParentReference>of() : parentRefs) {
            String group = ref.getGroup() == null ? ReferenceGrants.GATEWAY_GROUP : ref.getGroup();
            String refKind = ref.getKind() == null ? "Gateway" : ref.getKind();
            String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? routeNs : ref.getNamespace();
            List<ListenerState> listeners = !group.equals(ReferenceGrants.GATEWAY_GROUP) ? null : switch (refKind) {
                case "Gateway" -> listenersByGateway.get(ns + "/" + ref.getName());
                case ListenerState.LISTENER_SET -> listenersBySet.get(ns + "/" + ref.getName());
                default -> null;
            };
            if (listeners == null) {
                continue;
            }
            Condition accepted = rejection != null ? rejection
                    : attachTo(listeners, ref, kind, routeNs, routeKey, normalized, attachment, attached);
            out.add(new ResourceStatus.ParentStatus(describe(refKind, ref, ns), controllerName,
                    List.of(accepted, resolvedRefs)));
        }
        return out;
    }

    /** A route's hostnames normalized, each once, in their order ({@code null} for an empty one, as normalize says). */
    private static List<String> normalized(List<String> hostnames) {
        if (hostnames == null || hostnames.isEmpty()) {
            return List.of();
        }
        if (hostnames.size() == 1) {
            return java.util.Collections.singletonList(Hostnames.normalize(hostnames.get(0)));
        }
        List<String> out = new ArrayList<>(hostnames.size());
        for (String h : hostnames) {
            String n = Hostnames.normalize(h);
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return java.util.Collections.unmodifiableList(out);
    }

    private Condition attachTo(List<ListenerState> listeners, ParentReference ref, String kind, String routeNs,
                               String routeKey, List<String> hostnames, Attachment attachment, boolean[] attached) {
        // loops, not streams: this runs for every route on every reload, and the streams' pipelines, lambdas and
        // lists were most of what attaching 10,000 routes allocated
        List<ListenerState> selected = new ArrayList<>(listeners.size());
        for (ListenerState l : listeners) {
            if ((ref.getSectionName() == null || ref.getSectionName().equals(l.name()))
                    && (ref.getPort() == null || ref.getPort() == l.port())) {
                selected.add(l);
            }
        }
        if (selected.isEmpty()) {
            return Conditions.routeNoMatchingParent("no listener matches "
                    + (ref.getSectionName() != null ? "sectionName " + ref.getSectionName() : "")
                    + (ref.getSectionName() != null && ref.getPort() != null ? " and " : "")
                    + (ref.getPort() != null ? "port " + ref.getPort() : ""));
        }
        List<ListenerState> allowed = new ArrayList<>(selected.size());
        for (ListenerState l : selected) {
            if (l.acceptsRoutes() && l.supportedKinds.contains(kind) && namespaceAllowed(l, routeNs)) {
                allowed.add(l);
            }
        }
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
            default -> routeNs.equals(l.ownerNamespace());
        };
    }

    /** "Gateway|ListenerSet ns/name[/sectionName][:port]", as {@link ResourceStatus.ParentStatus} documents. */
    static String describe(String kind, ParentReference ref, String namespace) {
        return ResourceStatus.ParentStatus.parentRef(kind, namespace, ref.getName(), ref.getSectionName(), ref.getPort());
    }
}
