package dev.gatehouse.edge.gate;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code gatehouse_edge_gate_refused_total{reason}}: connections the {@code --allow-hosts} gate closed before a node
 * was chosen. One per edge, shared by its listeners' gates; counted here, exported where it is bound.
 */
public final class GateRefusals implements MeterBinder {
    /** Why a connection was refused. */
    public enum Reason {
        /** SNI or Host not in --allow-hosts */
        HOST_NOT_ALLOWED("host_not_allowed"),
        /** a ClientHello without SNI, a request head without Host (or with two) */
        NO_HOST("no_host"),
        /** neither a TLS ClientHello nor an HTTP/1.x request head, or a head over the size limit */
        MALFORMED("malformed"),
        /** no complete ClientHello or request head within the time limit */
        TIMEOUT("timeout");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }
    }

    private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);

    public GateRefusals() {
        for (Reason r : Reason.values()) {
            counts.put(r, new LongAdder());
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Reason r : Reason.values()) {
            FunctionCounter.builder("gatehouse.edge.gate.refused", counts.get(r), LongAdder::sum).tag("reason", r.tag)
                    .description("connections refused by --allow-hosts before a node was chosen").register(registry);
        }
    }

    void count(Reason reason) {
        counts.get(reason).increment();
    }

    /** How many so far. */
    public long total(Reason reason) {
        return counts.get(reason).sum();
    }
}
