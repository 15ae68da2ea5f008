package dev.gatehouse.translate;

import java.util.List;

/**
 * Receives the statuses of each config that was applied (the translator computes them; a sink only delivers).
 * Called on the control thread: an implementation that does I/O hands the work to a thread of its own.
 */
@FunctionalInterface
public interface StatusSink {
    /** Standalone mode: statuses are logged by the control loop and shown by the admin API, not written back. */
    StatusSink NONE = statuses -> { };

    /** @param statuses the served translation's statuses, with unbound ports already laid over */
    void publish(List<ResourceStatus> statuses);
}
