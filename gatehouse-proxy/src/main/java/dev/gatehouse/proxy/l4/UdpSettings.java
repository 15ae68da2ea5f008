package dev.gatehouse.proxy.l4;

import java.time.Duration;

/**
 * How UDP ports keep their per-client sessions.
 *
 * @param sessionIdleTimeout a session (client address and port -> backend) with no datagram either way for this
 *                           long is closed, and the client's next datagram opens a new one (perhaps to another
 *                           backend)
 * @param maxSessionsPerPort sessions a UDP port keeps at once; a datagram that would open one more is dropped
 *                           and counted, so a flood of spoofed source addresses cannot exhaust sockets or memory
 */
public record UdpSettings(Duration sessionIdleTimeout, int maxSessionsPerPort) {
    /**
     * 60 s: longer than the gaps of DNS retries, QUIC and game keep-alives (15-30 s), shorter than the minutes a
     * dead client's socket and session would otherwise be held; the defaults of Envoy's UDP proxy (60 s) and of
     * Linux conntrack for an answered UDP flow (120 s) are of the same order.
     */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Each session holds one socket: 16384 keeps a port well under a default 65536 open-file limit. */
    public static final int DEFAULT_MAX_SESSIONS = 16_384;
    /** The largest UDP payload: a smaller receive buffer would silently truncate bigger datagrams. */
    public static final int MAX_DATAGRAM = 65_535;

    public UdpSettings {
        if (sessionIdleTimeout.isNegative() || sessionIdleTimeout.isZero()) {
            throw new IllegalArgumentException("UDP session idle timeout must be positive: " + sessionIdleTimeout);
        }
        if (maxSessionsPerPort < 1) {
            throw new IllegalArgumentException("UDP sessions per port must be at least 1: " + maxSessionsPerPort);
        }
    }

    public static UdpSettings defaults() {
        return new UdpSettings(DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_SESSIONS);
    }
}
