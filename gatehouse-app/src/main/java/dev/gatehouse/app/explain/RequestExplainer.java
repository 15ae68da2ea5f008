package dev.gatehouse.app.explain;

import dev.gatehouse.proxy.explain.ExplainRequest;
import dev.gatehouse.proxy.explain.Explanation;
import dev.gatehouse.proxy.explain.RouteExplainer;
import dev.gatehouse.proxy.runtime.RuntimeSnapshot;
import dev.gatehouse.translate.Translation;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Explains a request against a compiled snapshot and the translation it came from. Which Gateways' missing
 * routes are worth mentioning: the chosen listener's Gateway; when no listener was chosen, those of every
 * listener on the port; when nothing listens on the port, every Gateway (a parentRef with a wrong
 * {@code port} is then the likely story).
 */
public final class RequestExplainer {
    private RequestExplainer() {
    }

    public static ExplainAnswer explain(Translation translation, RuntimeSnapshot runtime, ExplainRequest request) {
        Explanation e = RouteExplainer.explain(runtime, request);
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

    /** "namespace/gateway/listener" -> "namespace/gateway". */
    private static String gatewayOfListenerId(String id) {
        int last = id.lastIndexOf('/');
        return last < 0 ? id : id.substring(0, last);
    }
}
