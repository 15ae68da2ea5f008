package dev.gatehouse.proxy.observe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One route's (or policy's) counters of a filter-outcome family (auth, rate limit, policy), each registered when its outcome is
 * first recorded rather than at bind: a config without such filters shows no always-zero series. The first
 * record of an outcome registers its counter (once per route and outcome, on the event loop); later records
 * are an array read. Kept by route across binds, so a reload does not reset them.
 */
final class OutcomeCounters {
    private final MeterRegistry registry;
    private final String name;
    private final String help;
    /** The labels besides {@code outcome}, as name, value pairs: the route, or the policy's kind and name. */
    private final String[] tags;
    /** The {@code outcome} label of each ordinal. */
    private final String[] outcomes;
    private final AtomicReferenceArray<Counter> counters;
    /** Guarded by this: the route left the config. */
    private boolean retired;

    OutcomeCounters(MeterRegistry registry, String name, String help, String[] tags, String[] outcomes) {
        this.registry = registry;
        this.name = name;
        this.help = help;
        this.tags = tags;
        this.outcomes = outcomes;
        this.counters = new AtomicReferenceArray<>(outcomes.length);
    }

    void increment(int ordinal) {
        Counter c = counters.get(ordinal);
        if (c == null && (c = register(ordinal)) == null) {
            return;
        }
        c.increment();
    }

    private synchronized Counter register(int ordinal) {
        if (retired) {
            return null;
        }
        Counter c = counters.get(ordinal);
        if (c == null) {
            c = Counter.builder(name).tags(tags).tag("outcome", outcomes[ordinal]).description(help).register(registry);
            counters.set(ordinal, c);
        }
        return c;
    }

    /** The route (policy) left the config: its series go, and a request still in flight on it registers none again. */
    synchronized void retire() {
        retired = true;
        for (int i = 0; i < counters.length(); i++) {
            Counter c = counters.getAndSet(i, null);
            if (c != null) {
                registry.remove(c);
            }
        }
    }
}
