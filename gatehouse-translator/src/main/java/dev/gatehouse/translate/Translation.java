package dev.gatehouse.translate;

import dev.gatehouse.ir.Snapshot;

import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The result of translating a {@link ResourceSet}.
 *
 * @param snapshot what the data plane should serve
 * @param statuses every relevant resource's status, sorted by kind, namespace, name
 * @param diagnostics warnings (skipped kinds, ignored fields) and errors; any ERROR means "do not serve this"
 */
public record Translation(Snapshot snapshot, List<ResourceStatus> statuses, List<Diagnostic> diagnostics) {
    /** How the warning starts that the translator adds when no listener is programmed. */
    public static final String NOTHING_SERVED = "nothing is served: ";
    /** How the warning starts about an object left out in controller mode ({@link TranslatorOptions#leaveOutRefused}). */
    public static final String LEFT_OUT = "left out of the config, the rest is served: ";

    public Translation {
        statuses = List.copyOf(statuses);
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
    }

    /**
     * @return "nothing is served: " and why (no Gateway of ours, no programmed listener), or {@code null} when
     *         the snapshot has a port to bind
     */
    public String nothingServed() {
        if (!snapshot.ports().isEmpty()) {
            return null;
        }
        return diagnostics.stream().map(Diagnostic::message).filter(m -> m.startsWith(NOTHING_SERVED)).findFirst()
                .orElse(NOTHING_SERVED + "no listener is programmed");
    }

    /**
     * The statuses as they hold while the given ports of the snapshot are not bound: their listeners are not
     * programmed (with the reason), nor is a Gateway left with no programmed listener. The translation is pure;
     * this is where the data plane's bind results meet it.
     *
     * @param unbound port -> why it is not bound, e.g. "port 8080 on 0.0.0.0: Address already in use"
     */
    public Translation withUnboundPorts(Map<Integer, String> unbound) {
        Map<String, String> byListener = new HashMap<>();
        for (PortSpec port : snapshot.ports()) {
            String reason = unbound.get(port.port());
            if (reason != null) {
                for (ListenerSpec l : port.listeners()) {
                    byListener.put(l.gateway() + "/" + l.name(), reason);
                }
            }
        }
        return withListenerConditions(byListener,
                (c, reason) -> c.type().equals("Programmed") ? Conditions.listenerPortNotBound(reason) : c);
    }

    /**
     * The statuses as they hold when the data plane could not build a TLS context from a listener's certificate
     * (the translator checked the PEM, so this is a provider refusing it): that listener has
     * {@code ResolvedRefs=False/InvalidCertificateRef} and is not programmed; the others are untouched.
     *
     * @param byListener "gateway namespace/name/listener" -> why
     */
    public Translation withInvalidCertificates(Map<String, String> byListener) {
        return withListenerConditions(byListener, (c, reason) -> switch (c.type()) {
            case "Programmed" -> Conditions.listenerNotProgrammed("Listener is not programmed: " + reason);
            case "ResolvedRefs" -> Conditions.listenerInvalidCertificateRef(reason);
            default -> c;
        });
    }

    private Translation withListenerConditions(Map<String, String> byListener,
                                               BiFunction<Condition, String, Condition> replace) {
        if (byListener.isEmpty()) {
            return this;
        }
        List<ResourceStatus> out = new ArrayList<>(statuses.size());
        for (ResourceStatus s : statuses) {
            boolean hasListeners = s.kind().equals("Gateway") || s.kind().equals(ListenerState.LISTENER_SET);
            out.add(hasListeners ? withListenerConditions(s, byListener, replace) : s);
        }
        return new Translation(snapshot, out, diagnostics);
    }

    /** @param gateway a Gateway's or a ListenerSet's status (listeners keyed as {@code ListenerSpec.gateway} says) */
    private static ResourceStatus withListenerConditions(ResourceStatus gateway, Map<String, String> byListener,
                                                         BiFunction<Condition, String, Condition> replace) {
        List<ResourceStatus.ListenerStatus> listeners = new ArrayList<>();
        boolean anyProgrammed = false;
        boolean isGateway = gateway.kind().equals("Gateway");
        String owner = (isGateway ? "" : gateway.kind() + " ") + gateway.namespace() + "/" + gateway.name();
        for (ResourceStatus.ListenerStatus l : gateway.listeners()) {
            String reason = byListener.get(owner + "/" + l.name());
            List<Condition> conditions = reason == null ? l.conditions() : l.conditions().stream()
                    .map(c -> replace.apply(c, reason)).toList();
            anyProgrammed |= conditions.stream().anyMatch(c -> c.type().equals("Programmed")
                    && c.status().equals(Conditions.TRUE));
            listeners.add(new ResourceStatus.ListenerStatus(l.name(), l.attachedRoutes(), l.supportedKinds(), conditions));
        }
        boolean programmed = anyProgrammed;
        Condition notProgrammed = isGateway ? Conditions.gatewayNotProgrammed()
                : ListenerSetTranslator.listenerSetNotProgrammed();
        List<Condition> conditions = gateway.conditions().stream()
                .map(c -> c.type().equals("Programmed") && !programmed && c.status().equals(Conditions.TRUE)
                        ? notProgrammed : c).toList();
        return new ResourceStatus(gateway.kind(), gateway.namespace(), gateway.name(), conditions, listeners,
                gateway.parents(), gateway.attachedListenerSets());
    }
}
