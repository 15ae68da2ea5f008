package dev.gatehouse.proxy.observe.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;

import java.util.Map;

/**
 * Gives a description, hence a {@code # HELP} text, to the meters of Micrometer's Netty binders, which register
 * theirs without one (the JVM and process binders have their own). A filter so that it applies whatever binds
 * them; configured before any meter is registered, as Micrometer asks.
 */
final class MissingHelp implements MeterFilter {
    private static final Map<String, String> HELP = Map.of(
            "netty.allocator.memory.used", "Memory the Netty allocator holds, by memory type (heap, direct)",
            "netty.allocator.memory.pinned", "Memory of the Netty allocator in use by buffers, by memory type",
            "netty.allocator.pooled.arenas", "Arenas of the Netty pooled allocator, by memory type",
            "netty.allocator.pooled.cache.size", "Size of the Netty pooled allocator's thread-local caches, by cache type",
            "netty.allocator.pooled.threadlocal.caches", "Thread-local caches of the Netty pooled allocator",
            "netty.allocator.pooled.chunk.size", "Chunk size of the Netty pooled allocator",
            "netty.eventexecutor.tasks.pending", "Tasks waiting in a Netty event loop's queue",
            "netty.eventexecutor.workers", "Event loops of a Netty event loop group");

    @Override
    public Meter.Id map(Meter.Id id) {
        String help = id.getDescription() == null ? HELP.get(id.getName()) : null;
        return help == null ? id : new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), help,
                id.getType());
    }
}
