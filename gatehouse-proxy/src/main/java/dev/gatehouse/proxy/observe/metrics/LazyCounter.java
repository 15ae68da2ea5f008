package dev.gatehouse.proxy.observe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A route's counter, registered with Micrometer when it first counts rather than when the route is bound: 10,000
 * compiled routes of which a few serve cost a few counters, not 120,000 (each a Meter.Id, its tags and adders
 * in the old generation, and a line in every scrape). The first count registers it on the event loop; that is
 * cheap and does not wait on a scrape, as Micrometer's registry lock guards only adding and removing one meter.
 * Later counts are a volatile read and an add.
 */
final class LazyCounter {
    private final MeterRegistry registry;
    /** The name and tags, as {@link GatewayMetrics} keys the counters of its binds. */
    final String key;
    private final String name;
    private final String description;
    private final String baseUnit;
    private final String[] tags;
    private volatile Counter counter;
    /** Guarded by this: no bound route has it any more. */
    private boolean retired;

    LazyCounter(MeterRegistry registry, String key, String name, String description, String baseUnit, String[] tags) {
        this.registry = registry;
        this.key = key;
        this.name = name;
        this.description = description;
        this.baseUnit = baseUnit;
        this.tags = tags;
    }

    void increment() {
        Counter c = counter;
        if (c != null || (c = register()) != null) {
            c.increment();
        }
    }

    void increment(double amount) {
        Counter c = counter;
        if (c != null || (c = register()) != null) {
            c.increment(amount);
        }
    }

    /** Shows the series (at 0 until counted): the route served a request, so it has all of today's series. */
    void touch() {
        if (counter == null) {
            register();
        }
    }

    /** The registered counter, or {@code null} before the first count. */
    Counter registered() {
        return counter;
    }

    private synchronized Counter register() {
        if (retired) {
            return null; // a request in flight on a route that left the config: its series is gone
        }
        Counter c = counter;
        if (c == null) {
            c = Counter.builder(name).tags(tags).baseUnit(baseUnit).description(description).register(registry);
            counter = c;
        }
        return c;
    }

    /** Removes the series, and keeps a late count from registering it again. */
    synchronized void retire() {
        retired = true;
        Counter c = counter;
        if (c != null) {
            counter = null;
            registry.remove(c);
        }
    }
}
