package dev.gatehouse.proxy.server;

import java.time.Duration;

/**
 * Process-wide data plane settings (per-listener limits come later through policy resources).
 *
 * @param bindAddress address listeners bind on, e.g. "0.0.0.0"
 * @param ioThreads event loops; 0 means one per available processor
 * @param headerReadTimeout a request head (and an idle keep-alive connection) must arrive within this
 * @param idleTimeout a connection with no traffic at all is closed after this
 * @param connectTimeout upstream TCP connect
 * @param defaultBackendTimeout backend response head deadline when the route sets none; zero disables
 * @param maxHeaderSize request header section limit in bytes
 * @param maxInitialLineLength request line limit in bytes
 */
public record ServerOptions(String bindAddress, int ioThreads, Duration headerReadTimeout, Duration idleTimeout,
                            Duration connectTimeout, Duration defaultBackendTimeout, int maxHeaderSize,
                            int maxInitialLineLength) {
    public static ServerOptions defaults() {
        return new ServerOptions("0.0.0.0", 0, Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofSeconds(5), Duration.ofSeconds(60), 64 * 1024, 16 * 1024);
    }

    public ServerOptions withBindAddress(String address) {
        return new ServerOptions(address, ioThreads, headerReadTimeout, idleTimeout, connectTimeout,
                defaultBackendTimeout, maxHeaderSize, maxInitialLineLength);
    }
}
