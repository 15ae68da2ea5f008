package dev.gatehouse.kubernetes;

import dev.gatehouse.translate.ResourceStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntryStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The status a resource should have: the translator's conditions laid over the live object's status. Pure, so the
 * writer only compares and writes. A condition keeps its lastTransitionTime while its status is unchanged (the
 * spec's meaning of the field); every condition carries the generation it was computed from; in a route's
 * status.parents, the entries of other controllers stay as they are and only ours are replaced.
 */
final class StatusMerge {
    private static final String GATEWAY_API = "gateway.networking.k8s.io";

    private final String controllerName;
    private final String now;

    StatusMerge(String controllerName, Instant now) {
        this.controllerName = controllerName;
        this.now = now.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** @return the status to write, or {@code null} when the class is not ours or nothing changes */
    GatewayClassStatus gatewayClass(GatewayClass live, ResourceStatus computed) {
        if (live.getSpec() == null || !controllerName.equals(live.getSpec().getControllerName())) {
            return null; // another controller's class: its status is not ours to write
        }
        GatewayClassStatus old = live.getStatus();
        GatewayClassStatus out = (old == null ? new GatewayClassStatusBuilder() : new GatewayClassStatusBuilder(old))
                .withConditions(conditions(old == null ? null : old.getConditions(), computed.conditions(), live))
                .build();
        return Objects.equals(old, out) ? null : out;
    }

    /**
     * @param addresses the addresses gatehouse is reachable at (status.addresses, or those of them spec.addresses
     *                  asks for: RequestedAddresses), or {@code null} to leave them as they are
     * @return the status to write, or {@code null} when nothing changes
     */
    GatewayStatus gateway(Gateway live, ResourceStatus computed, List<String> addresses) {
        GatewayStatus old = live.getStatus();
        List<ListenerStatus> listeners = listeners(computed, live, name -> old == null || old.getListeners() == null
                ? null : old.getListeners().stream().filter(p -> name.equals(p.getName()))
                .map(ListenerStatus::getConditions).findFirst().orElse(null), ListenerStatus::new);
        RequestedAddresses requested = addresses == null ? new RequestedAddresses(computed.conditions(), null)
                : RequestedAddresses.of(live, computed.conditions(), addresses);
        GatewayStatusBuilder b = old == null ? new GatewayStatusBuilder() : new GatewayStatusBuilder(old);
        b.withConditions(conditions(old == null ? null : old.getConditions(), requested.conditions(), live))
                .withListeners(listeners);
        if (computed.attachedListenerSets() != null) {
            b.withAttachedListenerSets(computed.attachedListenerSets());
        }
        if (addresses != null) {
            b.withAddresses(requested.addresses().stream().map(a -> new GatewayStatusAddress(addressType(a), a))
                    .toList());
        }
        GatewayStatus out = b.build();
        return Objects.equals(old, out) ? null : out;
    }

    /** @return the status to write, or {@code null} when nothing changes */
    ListenerSetStatus listenerSet(ListenerSet live, ResourceStatus computed) {
        ListenerSetStatus old = live.getStatus();
        List<ListenerEntryStatus> listeners = listeners(computed, live, name -> old == null || old.getListeners() == null
                ? null : old.getListeners().stream().filter(p -> name.equals(p.getName()))
                .map(ListenerEntryStatus::getConditions).findFirst().orElse(null), ListenerEntryStatus::new);
        ListenerSetStatus out = (old == null ? new ListenerSetStatusBuilder() : new ListenerSetStatusBuilder(old))
                .withConditions(conditions(old == null ? null : old.getConditions(), computed.conditions(), live))
                .withListeners(listeners).build();
        return Objects.equals(old, out) ? null : out;
    }

    /** A Gateway's ListenerStatus and a ListenerSet's ListenerEntryStatus: the same fields in two classes. */
    private interface ListenerStatusOf<T> {
        T of(Integer attachedRoutes, List<Condition> conditions, String name, List<RouteGroupKind> supportedKinds);
    }

    /** @param previous a listener's conditions as written, by name, or null */
    private <T> List<T> listeners(ResourceStatus computed, HasMetadata live,
                                  Function<String, List<Condition>> previous, ListenerStatusOf<T> make) {
        List<T> out = new ArrayList<>();
        for (ResourceStatus.ListenerStatus l : computed.listeners()) {
            List<RouteGroupKind> kinds = l.supportedKinds().stream().map(k -> new RouteGroupKind(GATEWAY_API, k))
                    .toList();
            out.add(make.of(l.attachedRoutes(), conditions(previous.apply(l.name()), l.conditions(), live), l.name(),
                    kinds));
        }
        return out;
    }

    /** @return the status to write, or {@code null} when nothing changes */
    HTTPRouteStatus httpRoute(HTTPRoute live, ResourceStatus computed) {
        HTTPRouteStatus old = live.getStatus();
        List<RouteParentStatus> parents = routeParents(live, old == null ? null : old.getParents(),
                live.getSpec() == null ? null : live.getSpec().getParentRefs(), computed);
        HTTPRouteStatus out = new HTTPRouteStatus(parents);
        if (old != null) {
            out.setAdditionalProperties(old.getAdditionalProperties());
        }
        return Objects.equals(old, out) ? null : out;
    }

    /** @return the status to write, or {@code null} when nothing changes */
    GRPCRouteStatus grpcRoute(GRPCRoute live, ResourceStatus computed) {
        GRPCRouteStatus old = live.getStatus();
        List<RouteParentStatus> parents = routeParents(live, old == null ? null : old.getParents(),
                live.getSpec() == null ? null : live.getSpec().getParentRefs(), computed);
        GRPCRouteStatus out = new GRPCRouteStatus(parents);
        if (old != null) {
            out.setAdditionalProperties(old.getAdditionalProperties());
        }
        return Objects.equals(old, out) ? null : out;
    }

    /**
     * A route's {@code status.parents} (any route kind: they share RouteParentStatus): other controllers' entries
     * kept, ours replaced by the computed ones, one per parentRef in the spec's order.
     *
     * @param previous the live status.parents, or {@code null}
     * @param refs the live spec.parentRefs, or {@code null}
     */
    List<RouteParentStatus> routeParents(HasMetadata live, List<RouteParentStatus> previousOrNull,
                                         List<ParentReference> refs, ResourceStatus computed) {
        List<RouteParentStatus> previous = previousOrNull == null ? List.of() : previousOrNull;
        List<RouteParentStatus> parents = new ArrayList<>();
        for (RouteParentStatus p : previous) {
            if (!controllerName.equals(p.getControllerName())) {
                parents.add(p);
            }
        }
        String routeNs = namespace(live);
        Set<String> written = new HashSet<>();
        for (ParentReference ref : refs == null ? List.<ParentReference>of() : refs) {
            String key = key(ref, routeNs);
            ResourceStatus.ParentStatus mine = computed.parents().stream()
                    .filter(p -> p.parentRef().equals(key) && controllerName.equals(p.controllerName()))
                    .findFirst().orElse(null);
            if (mine == null || !written.add(key)) {
                continue;
            }
            RouteParentStatus prev = previous.stream().filter(p -> controllerName.equals(p.getControllerName())
                    && p.getParentRef() != null && key(p.getParentRef(), routeNs).equals(key)).findFirst().orElse(null);
            parents.add(new RouteParentStatus(conditions(prev == null ? null : prev.getConditions(),
                    mine.conditions(), live), controllerName, ref));
        }
        return parents;
    }

    /**
     * A policy's ancestors (BackendTLSPolicy, BackendTrafficPolicy): ours (one per Gateway or listener, as the computed
     * parents name them) replaced,
     * other controllers' kept, as the spec's composite key (ancestorRef, controllerName) asks.
     *
     * @return the status to write, or {@code null} when nothing changes
     */
    PolicyStatus policy(HasMetadata live, PolicyStatus old, ResourceStatus computed) {
        List<PolicyAncestorStatus> previous = old == null || old.getAncestors() == null ? List.of() : old.getAncestors();
        List<PolicyAncestorStatus> ancestors = new ArrayList<>();
        for (PolicyAncestorStatus a : previous) {
            if (!controllerName.equals(a.getControllerName())) {
                ancestors.add(a);
            }
        }
        for (ResourceStatus.ParentStatus mine : computed.parents()) {
            ParentReference ref = ancestorRef(mine.parentRef());
            PolicyAncestorStatus prev = previous.stream().filter(a -> controllerName.equals(a.getControllerName())
                    && ref.equals(a.getAncestorRef())).findFirst().orElse(null);
            ancestors.add(new PolicyAncestorStatus(ref,
                    conditions(prev == null ? null : prev.getConditions(), mine.conditions(), live), controllerName));
        }
        PolicyStatus out = new PolicyStatus(ancestors);
        if (old != null) {
            out.setAdditionalProperties(old.getAdditionalProperties());
        }
        return Objects.equals(old, out) ? null : out;
    }

    /** The ancestorRef of "Gateway|ListenerSet ns/name[/sectionName][:port]" ({@link ResourceStatus.ParentStatus}). */
    static ParentReference ancestorRef(String parentRef) {
        int space = parentRef.indexOf(' ');
        String rest = parentRef.substring(space + 1);
        Integer port = null;
        int colon = rest.lastIndexOf(':');
        if (colon > 0) {
            port = Integer.valueOf(rest.substring(colon + 1));
            rest = rest.substring(0, colon);
        }
        String[] parts = rest.split("/", 3);
        return new ParentReference(GATEWAY_API, parentRef.substring(0, space), parts[1], parts[0], port,
                parts.length > 2 ? parts[2] : null);
    }

    private List<Condition> conditions(List<Condition> old, List<dev.gatehouse.translate.Condition> computed,
                                       HasMetadata live) {
        List<Condition> out = new ArrayList<>();
        for (dev.gatehouse.translate.Condition c : computed) {
            Condition prev = old == null ? null : old.stream().filter(o -> c.type().equals(o.getType()))
                    .findFirst().orElse(null);
            boolean same = prev != null && c.status().equals(prev.getStatus()) && prev.getLastTransitionTime() != null;
            out.add(new ConditionBuilder().withType(c.type()).withStatus(c.status()).withReason(c.reason())
                    .withMessage(c.message() == null ? "" : c.message())
                    .withObservedGeneration(live.getMetadata().getGeneration())
                    .withLastTransitionTime(same ? prev.getLastTransitionTime() : now).build());
        }
        return out;
    }

    private static String key(ParentReference ref, String routeNs) {
        String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? routeNs : ref.getNamespace();
        return ResourceStatus.ParentStatus.parentRef(ref.getKind() == null ? "Gateway" : ref.getKind(), ns,
                ref.getName(), ref.getSectionName(), ref.getPort());
    }

    static String namespace(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    /** An IP literal (v4 dotted or v6 with colons) is an IPAddress; anything else a Hostname. */
    static String addressType(String address) {
        return address.contains(":") || address.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch))
                ? "IPAddress" : "Hostname";
    }
}
