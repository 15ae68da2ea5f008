package dev.gatehouse.ir;

import java.util.List;

/**
 * Everything the data plane serves, as one immutable value.
 *
 * @param generation increases with every translated config; reported by the admin API
 * @param ports one entry per bound port, sorted by port
 * @param clusters every backend Service port that some rule references, sorted by name
 */
public record Snapshot(long generation, List<PortSpec> ports, List<ClusterSpec> clusters) {
    public Snapshot {
        ports = List.copyOf(ports);
        clusters = List.copyOf(clusters);
    }

    public static Snapshot empty() {
        return new Snapshot(0, List.of(), List.of());
    }
}
