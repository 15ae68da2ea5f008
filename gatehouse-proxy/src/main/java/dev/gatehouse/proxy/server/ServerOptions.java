package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.ClientTrafficSpec;
import dev.gatehouse.proxy.upstream.UpstreamPools;

import java.time.Duration;

/**
 * Process-wide data plane settings. Client-side limits and timeouts can be tightened per port by a
 * {@code ClientTrafficPolicy} (carried as {@link dev.gatehouse.ir.PortSpec#clientTraffic()}); a port that no
 * policy targets uses {@link #clientTraffic()}.
 *
 * @param bindAddress address listeners bind on, e.g. "0.0.0.0"
 * @param ioThreads event loops; 0 means one per available processor
 * @param headerReadTimeout a request head (and an idle keep-alive connection) must arrive within this
 * @param idleTimeout a connection with no traffic at all is closed after this
 * @param connectTimeout upstream TCP connect
 * @param defaultBackendTimeout backend response head deadline when the route sets none; zero disables
 * @param maxHeaderSize request header section limit in bytes
 * @param maxInitialLineLength request line limit in bytes
 * @param clientTraffic the full set of client-side limits for ports without a policy; its timeouts and sizes
 *                      agree with the components above (the canonical constructor keeps them in step)
 * @param upstreamIdleTimeout a pooled backend connection unused this long is closed; zero keeps none. Below the
 *                            5 s keep-alive of Node and many frameworks, so the backend rarely closes one first
 */
public record ServerOptions(String bindAddress, int ioThreads, Duration headerReadTimeout, Duration idleTimeout,
                            Duration connectTimeout, Duration defaultBackendTimeout, int maxHeaderSize,
                            int maxInitialLineLength, ClientTrafficSpec clientTraffic, Duration upstreamIdleTimeout) {
    public ServerOptions {
        if (upstreamIdleTimeout == null) {
            upstreamIdleTimeout = UpstreamPools.POOL_IDLE_TIMEOUT;
        } else if (upstreamIdleTimeout.isNegative()) {
            throw new IllegalArgumentException("upstreamIdleTimeout must not be negative: " + upstreamIdleTimeout);
        }
        ClientTrafficSpec base = clientTraffic == null ? ClientTrafficSpec.DEFAULTS : clientTraffic;
        // The older components win: they are what existing callers set.
        clientTraffic = new ClientTrafficSpec(headerReadTimeout, base.bodyIdle(), base.bodyTotal(), idleTimeout,
                defaultBackendTimeout, maxHeaderSize, base.maxHeaderFields(), maxInitialLineLength,
                base.http2MaxConcurrentStreams(), base.http2MaxHeaderListBytes(), base.minBodyRateBytesPerSecond());
    }

    public ServerOptions(String bindAddress, int ioThreads, Duration headerReadTimeout, Duration idleTimeout,
                         Duration connectTimeout, Duration defaultBackendTimeout, int maxHeaderSize,
                         int maxInitialLineLength, ClientTrafficSpec clientTraffic) {
        this(bindAddress, ioThreads, headerReadTimeout, idleTimeout, connectTimeout, defaultBackendTimeout,
                maxHeaderSize, maxInitialLineLength, clientTraffic, null);
    }

    /** The pre-policy signature; the remaining limits take the contract's defaults. */
    public ServerOptions(String bindAddress, int ioThreads, Duration headerReadTimeout, Duration idleTimeout,
                         Duration connectTimeout, Duration defaultBackendTimeout, int maxHeaderSize,
                         int maxInitialLineLength) {
        this(bindAddress, ioThreads, headerReadTimeout, idleTimeout, connectTimeout, defaultBackendTimeout,
                maxHeaderSize, maxInitialLineLength, ClientTrafficSpec.DEFAULTS);
    }

    /**
     * Header 10 s, body idle 10 s, backend 15 s, idle 60 s, 64 KiB / 1000 header fields, 100 h2 streams, pooled
     * upstream connections idle 4 s.
     */
    public static ServerOptions defaults() {
        ClientTrafficSpec d = ClientTrafficSpec.DEFAULTS;
        return new ServerOptions("0.0.0.0", 0, d.requestHeader(), d.idle(), Duration.ofSeconds(5),
                d.backendResponse(), d.maxHeaderBytes(), d.maxUriBytes(), d, null);
    }

    public ServerOptions withBindAddress(String address) {
        return new ServerOptions(address, ioThreads, headerReadTimeout, idleTimeout, connectTimeout,
                defaultBackendTimeout, maxHeaderSize, maxInitialLineLength, clientTraffic, upstreamIdleTimeout);
    }

    public ServerOptions withIoThreads(int threads) {
        return new ServerOptions(bindAddress, threads, headerReadTimeout, idleTimeout, connectTimeout,
                defaultBackendTimeout, maxHeaderSize, maxInitialLineLength, clientTraffic, upstreamIdleTimeout);
    }

    public ServerOptions withConnectTimeout(Duration timeout) {
        return new ServerOptions(bindAddress, ioThreads, headerReadTimeout, idleTimeout, timeout,
                defaultBackendTimeout, maxHeaderSize, maxInitialLineLength, clientTraffic, upstreamIdleTimeout);
    }

    public ServerOptions withUpstreamIdleTimeout(Duration timeout) {
        return new ServerOptions(bindAddress, ioThreads, headerReadTimeout, idleTimeout, connectTimeout,
                defaultBackendTimeout, maxHeaderSize, maxInitialLineLength, clientTraffic, timeout);
    }

    /** Replaces every client-side limit and timeout (the older components follow it). */
    public ServerOptions withClientTraffic(ClientTrafficSpec spec) {
        return new ServerOptions(bindAddress, ioThreads, spec.requestHeader(), spec.idle(), connectTimeout,
                spec.backendResponse(), spec.maxHeaderBytes(), spec.maxUriBytes(), spec, upstreamIdleTimeout);
    }
}
