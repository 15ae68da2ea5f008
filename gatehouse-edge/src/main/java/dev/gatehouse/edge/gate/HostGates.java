package dev.gatehouse.edge.gate;

import io.netty.channel.ChannelHandler;

import java.time.Duration;
import java.util.List;

/** {@code --allow-hosts} for a whole edge: the parsed list and the shared refusal counts; a new gate per connection. */
public final class HostGates {
    /** The most bytes held before a host is known: a ClientHello with many extensions, a request head with cookies. */
    static final int MAX_HEAD_BYTES = 16 * 1024;
    /** The longest a client may take to name a host (a browser's first bytes come at once; a scanner's may not). */
    static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);

    private final AllowedHosts allowed;
    private final GateRefusals refusals;

    private HostGates(AllowedHosts allowed, GateRefusals refusals) {
        this.allowed = allowed;
        this.refusals = refusals;
    }

    /**
     * @param allowHosts the flag's entries; empty: no gate
     * @return {@code null} when there is nothing to check
     * @throws IllegalArgumentException naming the flag and the entry that is not a host name or a leading wildcard
     */
    public static HostGates of(List<String> allowHosts, GateRefusals refusals) {
        return allowHosts.isEmpty() ? null : new HostGates(AllowedHosts.parse(String.join(",", allowHosts)), refusals);
    }

    /** The first handler of one accepted connection. */
    public ChannelHandler newGate() {
        return new HostGate(allowed, refusals, MAX_HEAD_BYTES, HEAD_TIMEOUT.toMillis());
    }
}
