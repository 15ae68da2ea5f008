package dev.gatehouse.proxy.observe.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.List;

/**
 * A route counter series whose counts live in {@link RouteCells}: the cell of each route that counts into it
 * (a source), plus what sources that left counted before (folded). Registered with Micrometer, as a function
 * counter with the name, tags and help the series always had, when it first counts rather than when its route is
 * bound: 10,000 compiled routes of which a few serve cost a few series, not 120,000 (each a Meter.Id and its
 * tags in the old generation, and a line in every scrape). The first count registers it on the event loop; that
 * is cheap and does not wait on a scrape, as Micrometer's registry lock guards only adding and removing one meter.
 */
final class CellCounter {
    /** Another route's cell of this series. */
    private record Source(RouteCells cells, int index) {
    }

    private final MeterRegistry registry;
    /** The name and tags, as {@link GatewayMetrics} keys the counters of its binds. */
    final String key;
    private final String name;
    private final String description;
    private final String baseUnit;
    private final String[] tags;
    /**
     * Guarded by this: the cell of the route that made the series ({@code null} once it left), and those of
     * others, {@code null} until there are any. Inline because 10,000 bound routes have 120,000 series.
     */
    private RouteCells cells;
    private int index;
    private List<Source> others;
    /** Guarded by this: what the sources that left counted. */
    private long folded;
    private volatile FunctionCounter counter;
    /** Guarded by this: no bound route has it any more. */
    private boolean retired;

    CellCounter(MeterRegistry registry, String key, String name, String description, String baseUnit, String[] tags) {
        this.registry = registry;
        this.key = key;
        this.name = name;
        this.description = description;
        this.baseUnit = baseUnit;
        this.tags = tags;
    }

    synchronized void addSource(RouteCells source, int at) {
        if (cells == null) {
            cells = source;
            index = at;
            return;
        }
        if (others == null) {
            others = new ArrayList<>(1);
        }
        others.add(new Source(source, at));
    }

    /**
     * A route's cell leaves (its meter set is not bound any more) while the series stays: its count is kept.
     * A request of that route completing after this is not counted, as for a series that left.
     */
    synchronized void fold(RouteCells source, int at) {
        if (cells == source && index == at) {
            folded += source.sum(at);
            cells = null;
        } else if (others != null && others.remove(new Source(source, at))) {
            folded += source.sum(at);
        }
    }

    synchronized double value() {
        long n = folded + (cells == null ? 0 : cells.sum(index));
        if (others != null) {
            for (Source s : others) {
                n += s.cells().sum(s.index());
            }
        }
        return n;
    }

    /** Shows the series (at 0 until counted). On the event loop, once per stripe of each route's cells. */
    void touch() {
        if (counter == null) {
            register();
        }
    }

    private synchronized void register() {
        if (!retired && counter == null) {
            counter = FunctionCounter.builder(name, this, CellCounter::value).tags(tags).baseUnit(baseUnit)
                    .description(description).register(registry);
        }
    }

    /** Removes the series, and keeps a late count from registering it again. */
    synchronized void retire() {
        retired = true;
        FunctionCounter c = counter;
        if (c != null) {
            counter = null;
            registry.remove(c);
        }
    }
}
