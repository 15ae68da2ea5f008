package dev.gatehouse.translate;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.L4RouteSpec;
import dev.gatehouse.ir.RouteRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One TCPRoute's or TLSRoute's rules to {@link L4RouteSpec}s (hostname left to the listener it attaches to).
 * A broken backend reference only loses its share of connections, which are then closed, as the spec says.
 */
final class L4RouteTranslator {
    /**
     * @param rules one per rule, without hostname
     * @param clusters the clusters those rules reference, by name
     * @param resolvedRefs the route's ResolvedRefs condition
     */
    record Result(List<L4RouteSpec> rules, Map<String, ClusterSpec> clusters, Condition resolvedRefs) { }

    private final BackendResolver backends;

    L4RouteTranslator(BackendResolver backends) {
        this.backends = backends;
    }

    Result translate(L4Route route) {
        String ns = ResourceIndex.namespace(route.object());
        String name = route.object().getMetadata().getName();
        RouteProblems problems = new RouteProblems();
        Map<String, ClusterSpec> clusters = new TreeMap<>();
        List<L4RouteSpec> out = new ArrayList<>();
        for (int r = 0; r < route.rules().size(); r++) {
            L4Route.Rule rule = route.rules().get(r);
            List<BackendRefSpec> refs = new ArrayList<>();
            for (BackendRef ref : rule.backendRefs()) {
                BackendResolver.Resolution res = backends.resolve(route.kind(), new BackendResolver.Target(
                        ref.getGroup(), ref.getKind(), ref.getName(), ref.getNamespace(), ref.getPort()), ns, clusters);
                if (res.failure() != null) {
                    problems.unresolved(res.failure());
                }
                refs.add(new BackendRefSpec(res.cluster(), ref.getWeight() == null ? 1 : ref.getWeight(), List.of(),
                        res.invalidReason()));
            }
            out.add(new L4RouteSpec(new RouteRef(route.kind(), ns, name, r, rule.name(), 0), null, refs));
        }
        return new Result(out, clusters, problems.resolvedRefs());
    }
}
