package dev.gatehouse.translate;

import dev.gatehouse.ir.ClusterSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Each HTTPRoute's and GRPCRoute's own translation (its rules, the clusters they resolve, its ResolvedRefs and
 * rejection, before policies and attachment), kept for the next translation while it must come out the same, so
 * that a route change costs what it touches and the unchanged routes' IR rules stay the same instances (which the
 * compiler's route memo keeps compiled).
 *
 * <p>What a route's own translation reads: the route object, and through its backends and filters the Services,
 * ReferenceGrants, BackendTLSPolicies (with their Secrets and ConfigMaps and the Gateways they name),
 * RequestTerminations and EndpointSlices. Never another route, a listener or a policy targeting it: hostname
 * precedence, attachment, listener counts and policies are applied after, on every translation. So a route is kept
 * while it is the same instance (informers replace objects, never change them; the loader keeps an unchanged
 * file's) and every object other than routes and slices is the same instance at the same place as when it was
 * kept; anything else there translates every route afresh. Slices move endpoints only: a kept route's clusters get
 * their endpoint lists recomputed, as {@link EndpointRefresh} does (which also keeps the slices' memo warm). What resolving its backends left behind (the
 * BackendTLSPolicies it used, its clusters' endpoint sources) is replayed, so the policies' statuses are what a
 * fresh translation gives. A warm translator's output is a fresh one's ({@code RouteTranslationsTest}).
 *
 * <p>Thread-safe as {@link ObjectMemo}: each translation works on a {@link Round}; a finished round is published
 * whole.
 */
final class RouteTranslations {
    /** A route's own translation, and what resolving it left behind. */
    private record Kept(HttpRouteTranslator.Result result, List<BackendResolver.Effect> effects) { }

    /** The objects the kept routes read (all but routes and slices, in order), and the routes' translations. */
    private record State(List<ResourceSet.Entry> read, Map<HasMetadata, Kept> routes) { }

    private final AtomicReference<State> last = new AtomicReference<>(new State(List.of(), Map.of()));
    /** How many routes were kept rather than translated (tests). */
    final AtomicLong kept = new AtomicLong();

    /** One translation's use of the memo, over {@code resources} (after any refused objects are left out). */
    Round round(ResourceSet resources) {
        List<ResourceSet.Entry> read = new ArrayList<>(resources.entries().size());
        for (ResourceSet.Entry e : resources.entries()) {
            HasMetadata o = e.object();
            if (!(o instanceof HTTPRoute || o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.HTTPRoute
                    || o instanceof GRPCRoute || o instanceof EndpointSlice)) {
                read.add(e);
            }
        }
        State was = last.get();
        return new Round(read, sameObjects(was.read(), read) ? was.routes() : Map.of());
    }

    private static boolean sameObjects(List<ResourceSet.Entry> a, List<ResourceSet.Entry> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            ResourceSet.Entry x = a.get(i);
            ResourceSet.Entry y = b.get(i);
            if (x.object() != y.object() || x.document() != y.document() || !Objects.equals(x.file(), y.file())) {
                return false;
            }
        }
        return true;
    }

    /** Single-threaded. */
    final class Round {
        private final List<ResourceSet.Entry> read;
        private final Map<HasMetadata, Kept> previous;
        private final Map<HasMetadata, Kept> current;

        private Round(List<ResourceSet.Entry> read, Map<HasMetadata, Kept> previous) {
            this.read = read;
            this.previous = previous;
            this.current = new IdentityHashMap<>(previous.size());
        }

        /**
         * {@code route}'s own translation: the kept one, or {@code translate}'s, whose resolutions go through
         * {@code backends}. {@code route} is the object as the source gave it (a v1beta1 HTTPRoute, not the v1 copy
         * the index makes of it afresh each translation, which would never be kept).
         */
        HttpRouteTranslator.Result translate(HasMetadata route, BackendResolver backends,
                                             Supplier<HttpRouteTranslator.Result> translate) {
            Kept k = current.get(route);
            if (k == null) {
                k = previous.get(route);
                if (k != null) {
                    k = withEndpoints(k, backends);
                    kept.incrementAndGet();
                }
            }
            if (k != null) {
                backends.replay(k.effects());
                current.put(route, k);
                return k.result();
            }
            List<BackendResolver.Effect> effects = new ArrayList<>();
            HttpRouteTranslator.Result r = backends.recording(translate, effects);
            k = new Kept(new HttpRouteTranslator.Result(List.copyOf(r.rules()),
                    Collections.unmodifiableMap(r.clusters()), r.resolvedRefs(), r.rejection(),
                    List.copyOf(r.warnings())), List.copyOf(effects));
            current.put(route, k);
            return k.result();
        }

        /** Keeps this round's routes (only those) for the next translation. */
        void finish() {
            last.set(new State(read, current));
        }
    }

    /** {@code k} with its clusters' endpoints from this translation's slices: the same instance when none moved. */
    private static Kept withEndpoints(Kept k, BackendResolver backends) {
        Map<String, ClusterSpec> clusters = null;
        for (BackendResolver.Effect e : k.effects()) {
            ClusterSpec c = e.source() == null ? null : k.result().clusters().get(e.cluster());
            if (c == null) {
                continue;
            }
            List<ClusterSpec.EndpointSpec> endpoints = backends.endpointsOf(e.source());
            if (!endpoints.equals(c.endpoints())) {
                if (clusters == null) {
                    clusters = new TreeMap<>(k.result().clusters());
                }
                clusters.put(c.name(), new ClusterSpec(c.name(), endpoints, c.loadBalancer(), c.protocol(), c.tls(),
                        c.traffic()));
            }
        }
        if (clusters == null) {
            return k;
        }
        HttpRouteTranslator.Result r = k.result();
        return new Kept(new HttpRouteTranslator.Result(r.rules(), Collections.unmodifiableMap(clusters),
                r.resolvedRefs(), r.rejection(), r.warnings()), k.effects());
    }
}
