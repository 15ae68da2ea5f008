package dev.gatehouse.translate;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.Snapshot;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The translation of a set that differs from the last full translation's only in its EndpointSlices: pods come and
 * go far more often than anything else changes, and nothing but a cluster's endpoint list reads a slice (no status,
 * no diagnostic past the slice's own validation, no route decision). So the last translation is kept with where
 * each cluster's endpoints come from, and such a set gets it back with those lists recomputed and every other
 * object of the snapshot the same instance, as Envoy's EDS updates endpoints without RDS. A fresh translator gives
 * the same result ({@code EndpointRefreshTest}).
 */
final class EndpointRefresh {
    /** A cluster's endpoints: the slices of Service {@code service} ("namespace/name"), on the port so named. */
    record Source(String service, String portName) { }

    /**
     * What a full translation leaves for the next: its entries other than slices, in order; its diagnostics up to
     * validation (those read every object, slices included); its result; each cluster's {@link Source}.
     */
    record Base(List<ResourceSet.Entry> others, List<Diagnostic> validation, Translation translation,
                Map<String, Source> sources) {
        static Base of(ResourceSet resources, List<Diagnostic> validation, Translation translation,
                       Map<String, Source> sources) {
            List<ResourceSet.Entry> others = new ArrayList<>(resources.entries().size());
            for (ResourceSet.Entry e : resources.entries()) {
                if (!(e.object() instanceof EndpointSlice)) {
                    others.add(e);
                }
            }
            return new Base(others, List.copyOf(validation), translation, Map.copyOf(sources));
        }
    }

    private EndpointRefresh() {
    }

    /**
     * @param validation this set's diagnostics up to validation, none an error
     * @return the translation of {@code resources}, or {@code null} when more than slices changed since {@code base}
     */
    static Translation refresh(Base base, ResourceSet resources, List<Diagnostic> validation, long generation,
                               ObjectMemo.Round<EndpointSlice, SliceEndpoints.ByPort> memo) {
        if (!validation.equals(base.validation())) {
            return null; // a slice's own findings changed (the others' are the same for the same instances)
        }
        // the other objects first: a route change is found before 5,000 slices are grouped for nothing
        int other = 0;
        for (ResourceSet.Entry e : resources.entries()) {
            if (!(e.object() instanceof EndpointSlice)
                    && (other >= base.others().size() || !same(base.others().get(other++), e))) {
                return null;
            }
        }
        if (other != base.others().size()) {
            return null;
        }
        Map<String, List<EndpointSlice>> slicesByService = new TreeMap<>();
        for (ResourceSet.Entry e : resources.entries()) {
            if (e.object() instanceof EndpointSlice s && s.getMetadata() != null && s.getMetadata().getName() != null) {
                ResourceIndex.addSlice(s, slicesByService);
            }
        }
        ResourceIndex.sortSlices(slicesByService);
        Snapshot was = base.translation().snapshot();
        List<ClusterSpec> clusters = new ArrayList<>(was.clusters().size());
        for (ClusterSpec c : was.clusters()) {
            int at = c.name().indexOf('@'); // a policy's copy of a cluster ("ns/svc:port@policy") has its endpoints
            Source source = base.sources().get(at < 0 ? c.name() : c.name().substring(0, at));
            if (source == null) {
                return null;
            }
            List<ClusterSpec.EndpointSpec> endpoints = BackendResolver.endpoints(
                    slicesByService.getOrDefault(source.service(), List.of()), source.portName(), memo);
            clusters.add(endpoints.equals(c.endpoints()) ? c
                    : new ClusterSpec(c.name(), endpoints, c.loadBalancer(), c.protocol(), c.tls(), c.traffic()));
        }
        Translation t = base.translation();
        return new Translation(new Snapshot(generation, was.ports(), clusters), t.statuses(), t.diagnostics());
    }

    /** The same object (by identity: informers replace, never change, objects) at the same place. */
    private static boolean same(ResourceSet.Entry a, ResourceSet.Entry b) {
        return a.object() == b.object() && a.document() == b.document() && Objects.equals(a.file(), b.file());
    }
}
