package dev.gatehouse.edge.gate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;

/** {@code gatehouse_edge_gate_refused_total{reason}}: connections the L7 gates closed before a node was chosen. */
public final class GateRefusals {
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

    private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);

    public GateRefusals(MeterRegistry registry) {
        for (Reason r : Reason.values()) {
            counters.put(r, Counter.builder("gatehouse.edge.gate.refused").tag("reason", r.tag)
                    .description("connections refused by --allow-hosts before a node was chosen").register(registry));
        }
    }

    void count(Reason reason) {
        counters.get(reason).increment();
    }

    /** How many so far. */
    public long total(Reason reason) {
        return (long) counters.get(reason).count();
    }
}
