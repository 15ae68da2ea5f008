package dev.gatehouse.translate;

import dev.gatehouse.ir.ClusterSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * One EndpointSlice's endpoints on one of its ports, sorted and without duplicates: the ready ones, and the serving
 * ones that are terminating. A function of the slice alone, so {@link BackendResolver} keeps it per slice object.
 */
record SliceEndpoints(List<ClusterSpec.EndpointSpec> ready, List<ClusterSpec.EndpointSpec> terminating) {
    static final Comparator<ClusterSpec.EndpointSpec> ORDER = Comparator
            .comparing(ClusterSpec.EndpointSpec::address).thenComparingInt(ClusterSpec.EndpointSpec::port);

    /** A slice's endpoints by port name ("" for an unnamed port). */
    record ByPort(Map<String, SliceEndpoints> ports) {
        /** @return the endpoints on the first port of that name that has a number, or {@code null} */
        SliceEndpoints port(String name) {
            return ports.get(name);
        }
    }

    static ByPort of(EndpointSlice slice) {
        Map<String, SliceEndpoints> out = new HashMap<>();
        if (slice.getPorts() == null || slice.getEndpoints() == null) {
            return new ByPort(out);
        }
        for (EndpointPort p : slice.getPorts()) {
            String name = p.getName() == null ? "" : p.getName();
            if (p.getPort() != null && !out.containsKey(name)) {
                out.put(name, on(slice, p.getPort()));
            }
        }
        return new ByPort(Map.copyOf(out));
    }

    private static SliceEndpoints on(EndpointSlice slice, int port) {
        TreeSet<ClusterSpec.EndpointSpec> ready = new TreeSet<>(ORDER);
        TreeSet<ClusterSpec.EndpointSpec> terminating = new TreeSet<>(ORDER);
        for (Endpoint e : slice.getEndpoints()) {
            EndpointConditions c = e.getConditions();
            // Unknown readiness counts as ready, as kube-proxy does.
            TreeSet<ClusterSpec.EndpointSpec> into = c == null || !Boolean.FALSE.equals(c.getReady()) ? ready
                    : Boolean.TRUE.equals(c.getServing()) ? terminating : null;
            if (into == null) {
                continue;
            }
            for (String address : e.getAddresses() == null ? List.<String>of() : e.getAddresses()) {
                if (BackendResolver.isIpLiteral(address)) {
                    into.add(new ClusterSpec.EndpointSpec(address.toLowerCase(Locale.ROOT), port));
                }
            }
        }
        return new SliceEndpoints(List.copyOf(ready), List.copyOf(terminating));
    }
}
