package dev.gatehouse.app.explain;

import dev.gatehouse.app.doctor.UnattachedRoute;
import dev.gatehouse.app.doctor.UnattachedRoutes;
import dev.gatehouse.routing.explain.ExplainRequest;
import dev.gatehouse.routing.explain.Explanation;
import dev.gatehouse.routing.explain.RouteExplainer;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.translate.ResourceStatus;
import dev.gatehouse.translate.Translation;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Explains a request against a compiled snapshot and the translation it came from. Which Gateways' missing
 * routes are worth mentioning: the chosen listener's Gateway; when no listener was chosen, those of every
 * listener on the port; when nothing listens on the port, every Gateway (a parentRef with a wrong
 * {@code port} is then the likely story).
 *
 * <p>A listener that is not programmed (no usable certificate, its port could not be bound) refuses
 * connections whatever the compiled routes say: the statuses, with the data plane's bind results laid over
 * them, decide, and every such listener is named when nothing listens on the port.
 */
public final class RequestExplainer {
    private RequestExplainer() {
    }

    public static ExplainAnswer explain(Translation translation, RuntimeSnapshot runtime, ExplainRequest request) {
        Explanation e = RouteExplainer.explain(runtime, request);
        Map<String, String> notProgrammed = notProgrammedListeners(translation);
        List<String> refusedBy = e.listeners().stream().map(Explanation.ListenerExplanation::id)
                .filter(notProgrammed::containsKey).toList();
        if (!refusedBy.isEmpty()) {
            // all listeners of a port share its socket: one unbound means the connection is refused
            e = e.withOutcome(new Explanation.Outcome(Explanation.OutcomeKind.NO_LISTENER, 0,
                    "connection refused: port " + request.port() + " is not bound ("
                            + notProgrammed.get(refusedBy.get(0)) + ")"));
        } else if (e.outcome().kind() == Explanation.OutcomeKind.NO_LISTENER) {
            e = e.withNotes(notProgrammed.entrySet().stream()
                    .map(n -> "listener " + n.getKey() + " is not served: " + n.getValue()).toList());
        }
        UnattachedRoutes unattached = new UnattachedRoutes(translation.statuses());
        Set<String> gateways = new LinkedHashSet<>();
        e.listeners().stream().filter(Explanation.ListenerExplanation::chosen)
                .forEach(l -> gateways.add(gatewayOfListenerId(l.id())));
        if (gateways.isEmpty()) {
            e.listeners().forEach(l -> gateways.add(gatewayOfListenerId(l.id())));
        }
        if (gateways.isEmpty()) {
            unattached.all().forEach(u -> gateways.add(u.gateway()));
        }
        return ExplainAnswer.of(e, unattached.targeting(gateways));
    }

    /** "namespace/gateway/listener" -> the Programmed condition's message, for each one not programmed. */
    private static Map<String, String> notProgrammedListeners(Translation translation) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ResourceStatus s : translation.statuses()) {
            for (ResourceStatus.ListenerStatus l : s.listeners()) {
                l.conditions().stream().filter(c -> c.type().equals("Programmed") && !c.status().equals("True"))
                        .forEach(c -> out.put(s.namespace() + "/" + s.name() + "/" + l.name(), c.message()));
            }
        }
        return out;
    }

    /** "namespace/gateway/listener" -> "namespace/gateway". */
    private static String gatewayOfListenerId(String id) {
        int last = id.lastIndexOf('/');
        return last < 0 ? id : id.substring(0, last);
    }
}
