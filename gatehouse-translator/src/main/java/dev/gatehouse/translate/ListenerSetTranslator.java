package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedListeners;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerNamespaces;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentGatewayReference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ListenerSets (GEP-1713): which ones our Gateways take ({@code spec.allowedListeners}), the listeners they bring
 * (checked and conflict-marked as the Gateway's own, after them), and the status of both objects: the
 * ListenerSet's Accepted/Programmed and per-listener status, the Gateway's {@code attachedListenerSets} and
 * {@code AttachedListenerSets} condition. A ListenerSet whose parentRef names no Gateway of ours gets no status:
 * another controller answers for it.
 */
final class ListenerSetTranslator {
    private record Attachment(ListenerSet set, String gatewayKey, List<ListenerState> listeners, Condition rejection) {
        boolean accepted() {
            return rejection == null && listeners.stream().anyMatch(ListenerState::acceptsRoutes);
        }
    }

    private final ResourceIndex index;
    private final GatewayTranslator gateways;
    private final List<Attachment> attachments = new ArrayList<>();
    /** "namespace/name" -> the listeners of each ListenerSet of ours, for routes that name it as parent. */
    final Map<String, List<ListenerState>> listenersBySet = new LinkedHashMap<>();

    ListenerSetTranslator(ResourceIndex index, GatewayTranslator gateways) {
        this.index = index;
        this.gateways = gateways;
    }

    /**
     * @param ownListeners our Gateways' own listeners by "namespace/name", conflicts already marked (whether the
     *                     parent is accepted depends on them, never on a ListenerSet's)
     * @return the listeners of the ListenerSets taken, in the spec's precedence (oldest first, then
     *         namespace/name), to be conflict-marked after every Gateway's own
     */
    List<ListenerState> attach(Map<String, Gateway> ours, Map<String, List<ListenerState>> ownListeners) {
        List<ListenerState> taken = new ArrayList<>();
        for (ListenerSet set : index.listenerSets) {
            String gatewayKey = parentKey(set);
            Gateway parent = gatewayKey == null ? null : ours.get(gatewayKey);
            if (parent == null) {
                continue;
            }
            String setNs = ResourceIndex.namespace(set);
            Condition rejection = null;
            if (!allows(parent, setNs)) {
                rejection = new Condition("Accepted", Conditions.FALSE, "NotAllowed", "Gateway " + gatewayKey
                        + " does not allow ListenerSets from namespace " + setNs + " (spec.allowedListeners)");
            } else if (ownListeners.get(gatewayKey).stream().noneMatch(ListenerState::acceptsRoutes)) {
                rejection = new Condition("Accepted", Conditions.FALSE, "ParentNotAccepted",
                        "Gateway " + gatewayKey + " is not accepted");
            }
            List<ListenerState> listeners;
            if (rejection == null) {
                listeners = gateways.listenersOf(set, parent);
                taken.addAll(listeners);
            } else {
                listeners = rejected(set, parent, rejection);
            }
            listenersBySet.put(ResourceIndex.qualifiedName(set), listeners);
            attachments.add(new Attachment(set, gatewayKey, listeners, rejection));
        }
        return taken;
    }

    /** "namespace/name" of the Gateway a ListenerSet names, or {@code null} when it names another kind. */
    private static String parentKey(ListenerSet set) {
        ParentGatewayReference ref = set.getSpec() == null ? null : set.getSpec().getParentRef();
        if (ref == null || ref.getName() == null) {
            return null;
        }
        String group = ref.getGroup() == null ? ReferenceGrants.GATEWAY_GROUP : ref.getGroup();
        String kind = ref.getKind() == null ? "Gateway" : ref.getKind();
        if (!group.equals(ReferenceGrants.GATEWAY_GROUP) || !kind.equals("Gateway")) {
            return null;
        }
        String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? ResourceIndex.namespace(set)
                : ref.getNamespace();
        return ResourceIndex.key(ns, ref.getName());
    }

    /** {@code spec.allowedListeners.namespaces.from}: None (the default), Same, All or Selector. */
    private boolean allows(Gateway gateway, String setNamespace) {
        ListenerNamespaces namespaces = namespaces(gateway);
        String from = namespaces == null || namespaces.getFrom() == null ? "None" : namespaces.getFrom();
        return switch (from) {
            case "All" -> true;
            case "Same" -> setNamespace.equals(ResourceIndex.namespace(gateway));
            case "Selector" -> namespaces.getSelector() != null
                    && NamespaceSelector.matches(namespaces.getSelector(), index.labelsOf(setNamespace));
            default -> false;
        };
    }

    private static ListenerNamespaces namespaces(Gateway gateway) {
        AllowedListeners allowed = gateway.getSpec().getAllowedListeners();
        return allowed == null ? null : allowed.getNamespaces();
    }

    /** Each listener of a ListenerSet not taken carries the ListenerSet's reason; none is checked further. */
    private static List<ListenerState> rejected(ListenerSet set, Gateway parent, Condition rejection) {
        List<Listener> listeners = GatewayTranslator.listeners(set);
        List<ListenerState> out = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++) {
            ListenerState s = new ListenerState(parent, set, listeners.get(i), i, null, false);
            s.accepted = rejection;
            out.add(s);
        }
        return out;
    }

    /** The status of every ListenerSet that names a Gateway of ours. */
    List<ResourceStatus> statuses() {
        List<ResourceStatus> out = new ArrayList<>();
        for (Attachment a : attachments) {
            List<Condition> conditions;
            if (a.rejection() != null) {
                String programmedReason = a.rejection().reason().equals("NotAllowed") ? "NotAllowed"
                        : "ParentNotProgrammed";
                conditions = List.of(a.rejection(), new Condition("Programmed", Conditions.FALSE, programmedReason,
                        a.rejection().message()));
            } else {
                conditions = List.of(accepted(a.listeners()), programmed(a.listeners()));
            }
            out.add(new ResourceStatus(ListenerState.LISTENER_SET, ResourceIndex.namespace(a.set()),
                    a.set().getMetadata().getName(), conditions, GatewayTranslator.listenerStatuses(a.listeners()),
                    List.of()));
        }
        return out;
    }

    private static Condition accepted(List<ListenerState> listeners) {
        long valid = listeners.stream().filter(ListenerState::acceptsRoutes).count();
        if (valid == listeners.size()) {
            return new Condition("Accepted", Conditions.TRUE, "Accepted", "ListenerSet is accepted");
        }
        return new Condition("Accepted", valid > 0 ? Conditions.TRUE : Conditions.FALSE, "ListenersNotValid",
                (listeners.size() - valid) + " of " + listeners.size()
                        + " listeners are not valid (each listener's conditions say why)");
    }

    private static Condition programmed(List<ListenerState> listeners) {
        return listeners.stream().anyMatch(ListenerState::programmed)
                ? new Condition("Programmed", Conditions.TRUE, "Programmed", "ListenerSet is programmed")
                : listenerSetNotProgrammed();
    }

    static Condition listenerSetNotProgrammed() {
        return new Condition("Programmed", Conditions.FALSE, "Invalid", "ListenerSet has no programmed listeners");
    }

    /**
     * A Gateway's status with what ListenerSets did to it: the count of those accepted and the
     * AttachedListenerSets condition, reported when the Gateway allows ListenerSets or one names it.
     */
    ResourceStatus withListenerSets(Gateway gateway, ResourceStatus status) {
        String key = ResourceIndex.qualifiedName(gateway);
        List<Attachment> mine = attachments.stream().filter(a -> a.gatewayKey().equals(key)).toList();
        ListenerNamespaces namespaces = namespaces(gateway);
        boolean allowsAny = namespaces != null && namespaces.getFrom() != null && !namespaces.getFrom().equals("None");
        if (mine.isEmpty() && !allowsAny) {
            return status;
        }
        int attached = (int) mine.stream().filter(Attachment::accepted).count();
        Condition condition;
        if (attached > 0) {
            condition = new Condition("AttachedListenerSets", Conditions.TRUE, "ListenerSetsAttached",
                    "ListenerSets attached: " + attached);
        } else if (mine.stream().anyMatch(a -> a.rejection() != null && a.rejection().reason().equals("NotAllowed"))) {
            condition = new Condition("AttachedListenerSets", Conditions.FALSE, "ListenerSetsNotAllowed",
                    "ListenerSets name this Gateway but spec.allowedListeners does not allow them");
        } else {
            condition = new Condition("AttachedListenerSets", Conditions.FALSE, "NoListenerSetsAttached",
                    "No ListenerSet is attached");
        }
        List<Condition> conditions = new ArrayList<>(status.conditions());
        conditions.add(condition);
        return new ResourceStatus(status.kind(), status.namespace(), status.name(), conditions, status.listeners(),
                status.parents(), attached);
    }
}
