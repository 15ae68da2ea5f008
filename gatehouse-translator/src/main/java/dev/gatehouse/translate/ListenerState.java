package dev.gatehouse.translate;

import dev.gatehouse.ir.L4RouteSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.TlsSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One listener while a translation runs: what the Gateway (or a ListenerSet attached to it) declared, what we
 * concluded about it, and the route rules attached to it so far. Mutable, and never leaves the translation that
 * created it.
 */
final class ListenerState {
    static final String LISTENER_SET = "ListenerSet";

    /** The Gateway whose ports serve the listener (a ListenerSet's parent for the listeners it brings). */
    final Gateway gateway;
    /** Who declared it: {@link #gateway}, or a ListenerSet, which holds its status, certificates and routes. */
    final HasMetadata owner;
    final Listener listener;
    final int index;
    final String gatewayKey;
    final String hostname;
    final Protocol protocol;
    /** Whether the data plane binds this protocol at all (see {@link TranslatorOptions#servedProtocols()}). */
    final boolean served;
    final List<String> supportedKinds = new ArrayList<>();
    final Set<String> attachedRoutes = new HashSet<>();
    /** Effective hostname -> rules attached under it. */
    final Map<String, List<RouteRule>> rulesByHostname = new LinkedHashMap<>();
    /** Effective hostname -> "kind namespace/name" of each HTTPRoute and GRPCRoute attached under it. */
    private final Map<String, List<String>> httpFamilyHostnames = new LinkedHashMap<>();
    /** Kind -> how many of {@link #httpFamilyHostnames}' entries routes of that kind claimed. */
    private final Map<String, Integer> claims = new java.util.HashMap<>();
    /** TCPRoute/TLSRoute rules attached, oldest route first (the order routes are attached in). */
    final List<L4RouteSpec> l4Routes = new ArrayList<>();
    Condition accepted = Conditions.listenerAccepted();
    Condition resolvedRefs = Conditions.listenerResolvedRefs();
    Condition conflicted = Conditions.listenerNoConflicts();
    TlsSpec tls;
    boolean certificatesValid = true;

    ListenerState(Gateway gateway, Listener listener, int index, Protocol protocol, boolean served) {
        this(gateway, gateway, listener, index, protocol, served);
    }

    ListenerState(Gateway gateway, HasMetadata owner, Listener listener, int index, Protocol protocol, boolean served) {
        this.gateway = gateway;
        this.owner = owner;
        this.listener = listener;
        this.index = index;
        this.gatewayKey = ResourceIndex.qualifiedName(gateway);
        this.hostname = Hostnames.normalize(listener.getHostname());
        this.protocol = protocol;
        this.served = served;
    }

    boolean fromListenerSet() {
        return owner != gateway;
    }

    /** "Gateway" or "ListenerSet": the kind that refers to certificates (ReferenceGrant's from). */
    String ownerKind() {
        return fromListenerSet() ? LISTENER_SET : "Gateway";
    }

    /** Where "Same" namespace and a certificateRef without namespace point: the declaring object's namespace. */
    String ownerNamespace() {
        return ResourceIndex.namespace(owner);
    }

    /**
     * The IR's {@code ListenerSpec.gateway}: "namespace/name" of the Gateway, or "ListenerSet namespace/name" for
     * a listener a ListenerSet brings, so that listeners of the same name in both stay apart everywhere.
     */
    String ownerKey() {
        return fromListenerSet() ? LISTENER_SET + " " + ResourceIndex.qualifiedName(owner) : gatewayKey;
    }

    String name() {
        return listener.getName();
    }

    int port() {
        return listener.getPort() == null ? 0 : listener.getPort();
    }

    /** Routes may attach: accepted, not in conflict, and speaking a protocol we serve. */
    boolean acceptsRoutes() {
        return Conditions.TRUE.equals(accepted.status()) && !Conditions.TRUE.equals(conflicted.status());
    }

    /**
     * Goes into the snapshot: accepted, no conflicts, certificates usable when it terminates TLS, and a
     * protocol the data plane serves (routes still attach to an HTTPS listener, so its status is complete).
     */
    boolean programmed() {
        return acceptsRoutes() && certificatesValid && served;
    }

    void attach(RouteRule rule, String effectiveHostname) {
        rulesByHostname.computeIfAbsent(effectiveHostname, h -> new ArrayList<>()).add(rule);
    }

    /**
     * The route of the other kind (HTTPRoute for a GRPCRoute and the other way round) already attached here under a
     * hostname that intersects {@code effective}, or {@code null}: the spec lets only one of them have it, the older.
     */
    String rivalOf(String kind, List<String> effective) {
        int all = 0;
        for (int n : claims.values()) {
            all += n;
        }
        if (claims.getOrDefault(kind, 0) == all) {
            // no route of the other kind here (the common case): nothing to scan, where scanning made attaching
            // 5,000 routes to one listener quadratic
            return null;
        }
        for (Map.Entry<String, List<String>> e : httpFamilyHostnames.entrySet()) {
            for (String owner : e.getValue()) {
                if (!owner.startsWith(kind + " ") && effective.stream().anyMatch(h -> h.equals(e.getKey())
                        || Hostnames.covers(h, e.getKey()) || Hostnames.covers(e.getKey(), h))) {
                    return owner;
                }
            }
        }
        return null;
    }

    void claim(String routeKey, List<String> effective) {
        claims.merge(routeKey.substring(0, routeKey.indexOf(' ')), effective.size(), Integer::sum);
        effective.forEach(h -> httpFamilyHostnames.computeIfAbsent(h, k -> new ArrayList<>()).add(routeKey));
    }

    List<Condition> conditions() {
        Condition programmed;
        if (programmed()) {
            programmed = Conditions.listenerProgrammed();
        } else if (acceptsRoutes() && !served) {
            programmed = Conditions.listenerProtocolNotServed(listener.getProtocol(), port());
        } else {
            programmed = Conditions.listenerNotProgrammed("Listener is not programmed: " + (acceptsRoutes()
                    ? resolvedRefs.message() : accepted.message()));
        }
        return List.of(accepted, conflicted, programmed, resolvedRefs);
    }
}
