package dev.gatehouse.kubernetes;

import java.time.Instant;
import java.util.List;

/**
 * Controller mode as an operator needs to see it (admin {@code GET /source}, the dashboard): which API server,
 * whether this replica writes status and who does, each kind with its cached count (or missing: its CRD is not
 * installed), and when the caches last changed.
 *
 * @param leader the Lease holder as this replica last saw it; null while none is known
 * @param lastChange null before the first sync
 */
public record ControllerView(String apiServer, String identity, boolean leading, String leader, String lease,
                             List<Kind> kinds, Instant lastChange) {
    public ControllerView {
        kinds = List.copyOf(kinds);
    }

    /** @param count objects in the cache; -1 when the kind is not watched (its CRD is missing) */
    public record Kind(String kind, String apiVersion, int count, boolean watched) { }
}
