package dev.gatehouse.translate;

import dev.gatehouse.ir.Protocol;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Our Gateways' listeners: protocol support, allowed route kinds, certificates, conflicts between listeners
 * (of all our Gateways, which share the ports of this process), and the Gateway and listener statuses.
 */
final class GatewayTranslator {
    static final String HTTP_ROUTE = "HTTPRoute";

    private final ListenerTlsResolver tlsResolver;
    private final Set<Protocol> served;

    /** @param served the protocols the data plane binds; listeners of the others are not programmed */
    GatewayTranslator(ListenerTlsResolver tlsResolver, Set<Protocol> served) {
        this.tlsResolver = tlsResolver;
        this.served = served;
    }

    List<ListenerState> listenersOf(Gateway gateway) {
        List<ListenerState> states = new ArrayList<>();
        List<Listener> listeners = gateway.getSpec().getListeners();
        for (int i = 0; i < listeners.size(); i++) {
            states.add(listenerOf(gateway, gateway, listeners.get(i), i));
        }
        return states;
    }

    /** The listeners a ListenerSet brings to its parent Gateway, checked as the Gateway's own are. */
    List<ListenerState> listenersOf(ListenerSet set, Gateway parent) {
        List<ListenerState> states = new ArrayList<>();
        List<Listener> listeners = listeners(set);
        for (int i = 0; i < listeners.size(); i++) {
            states.add(listenerOf(parent, set, listeners.get(i), i));
        }
        return states;
    }

    /** A ListenerSet's entries as Gateway listeners: the same fields, so one code path checks both. */
    static List<Listener> listeners(ListenerSet set) {
        List<ListenerEntry> entries = set.getSpec() == null || set.getSpec().getListeners() == null ? List.of()
                : set.getSpec().getListeners();
        return entries.stream().map(e -> new Listener(e.getAllowedRoutes(), e.getHostname(), e.getName(), e.getPort(),
                e.getProtocol(), e.getTls())).toList();
    }

    private ListenerState listenerOf(Gateway gateway, HasMetadata owner, Listener listener, int index) {
        String protocol = listener.getProtocol() == null ? "" : listener.getProtocol();
        Protocol p = switch (protocol) {
            case "HTTP" -> Protocol.HTTP;
            case "HTTPS" -> Protocol.HTTPS;
            case "TLS" -> Protocol.TLS;
            case "TCP" -> Protocol.TCP;
            case "UDP" -> Protocol.UDP;
            default -> null;
        };
        ListenerState state = new ListenerState(gateway, owner, listener, index, p, p != null && served.contains(p));
        if (p == null) {
            state.accepted = Conditions.listenerUnsupportedProtocol(protocol);
            return state;
        }
        String tlsMode = listener.getTls() == null || listener.getTls().getMode() == null ? "Terminate"
                : listener.getTls().getMode();
        if (p == Protocol.TLS && !tlsMode.equals("Passthrough") && !tlsMode.equals("Terminate")) {
            state.accepted = Conditions.listenerUnsupportedTlsMode("tls.mode " + tlsMode + " is not Terminate or Passthrough");
            return state;
        }
        String routeKind = switch (p) {
            case HTTP, HTTPS -> HTTP_ROUTE;
            case TCP -> L4Route.TCP_ROUTE;
            case TLS -> L4Route.TLS_ROUTE;
            case UDP -> L4Route.UDP_ROUTE;
        };
        List<RouteGroupKind> kinds = listener.getAllowedRoutes() == null ? null : listener.getAllowedRoutes().getKinds();
        if (kinds == null || kinds.isEmpty()) {
            state.supportedKinds.add(routeKind);
        } else {
            List<String> invalid = new ArrayList<>();
            for (RouteGroupKind k : kinds) {
                String group = k.getGroup() == null ? ReferenceGrants.GATEWAY_GROUP : k.getGroup();
                if (group.equals(ReferenceGrants.GATEWAY_GROUP) && routeKind.equals(k.getKind())) {
                    if (!state.supportedKinds.contains(routeKind)) {
                        state.supportedKinds.add(routeKind);
                    }
                } else {
                    invalid.add(group + "/" + k.getKind());
                }
            }
            if (!invalid.isEmpty()) {
                state.resolvedRefs = Conditions.listenerInvalidRouteKinds(
                        "route kinds " + String.join(", ", invalid) + " are not supported on " + protocol + " listeners");
            }
        }
        if (p == Protocol.HTTPS || p == Protocol.TLS && tlsMode.equals("Terminate")) {
            tlsResolver.resolve(state);
        }
        return state;
    }

    /**
     * Marks listeners that cannot share their port: a different protocol than the port's first listener
     * (oldest Gateway first), or the same hostname as an earlier listener on the port. Calling it again with more
     * listeners appended marks only those: the earlier ones reach the same verdicts.
     *
     * @param all listeners of every Gateway, oldest Gateway first, in declared order; then those of ListenerSets
     *            (the spec's precedence: the Gateway's own first, then ListenerSets oldest first, then by
     *            namespace/name)
     */
    static void markConflicts(List<ListenerState> all) {
        Map<Integer, Protocol> portProtocol = new HashMap<>();
        Map<Integer, List<String>> portHostnames = new HashMap<>();
        for (ListenerState s : all) {
            if (!s.acceptsRoutes()) {
                continue;
            }
            Protocol first = portProtocol.putIfAbsent(s.port(), s.protocol);
            if (first != null && first != s.protocol) {
                s.conflicted = Conditions.listenerProtocolConflict(
                        "port " + s.port() + " already serves " + first + " for " + winner(s));
                s.accepted = Conditions.listenerConflictNotAccepted(s.conflicted);
                continue;
            }
            List<String> hostnames = portHostnames.computeIfAbsent(s.port(), k -> new ArrayList<>());
            String h = s.hostname == null ? "" : s.hostname;
            if (hostnames.contains(h)) {
                s.conflicted = Conditions.listenerHostnameConflict("hostname " + (h.isEmpty() ? "(none)" : h)
                        + " on port " + s.port() + " is already used by " + winner(s));
                s.accepted = Conditions.listenerConflictNotAccepted(s.conflicted);
                continue;
            }
            hostnames.add(h);
        }
    }

    /** Who won the port, in words that leak no sibling's name to a ListenerSet's owner. */
    private static String winner(ListenerState loser) {
        return loser.fromListenerSet() ? "a listener of higher precedence (the Gateway's own, or an older ListenerSet's)"
                : "an older listener";
    }

    static ResourceStatus status(Gateway gateway, List<ListenerState> states) {
        boolean anyInvalid = false;
        boolean anyValid = false;
        boolean anyProgrammed = false;
        for (ListenerState s : states) {
            anyInvalid |= !s.acceptsRoutes();
            anyValid |= s.acceptsRoutes();
            anyProgrammed |= s.programmed();
        }
        List<Condition> conditions = List.of(
                anyInvalid ? Conditions.gatewayListenersNotValid(anyValid) : Conditions.gatewayAccepted(),
                anyProgrammed ? Conditions.gatewayProgrammed() : Conditions.gatewayNotProgrammed());
        return new ResourceStatus("Gateway", ResourceIndex.namespace(gateway), gateway.getMetadata().getName(),
                conditions, listenerStatuses(states), List.of());
    }

    static List<ResourceStatus.ListenerStatus> listenerStatuses(List<ListenerState> states) {
        return states.stream().map(s -> new ResourceStatus.ListenerStatus(s.name(), s.attachedRoutes.size(),
                s.supportedKinds, s.conditions())).toList();
    }
}
