package dev.gatehouse.proxy.health;

/** How a probe's protocol handler reports its verdict to the prober (once; later calls are ignored). */
@FunctionalInterface
interface ProbeOutcome {
    /** @param failure why the probe failed, or {@code null} when it passed */
    void done(String failure);
}
