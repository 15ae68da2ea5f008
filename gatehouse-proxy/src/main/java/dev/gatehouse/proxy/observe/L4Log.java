package dev.gatehouse.proxy.observe;

import dev.gatehouse.ir.RouteRef;

import java.net.InetSocketAddress;

/**
 * What observers learn about one L4 connection (TCP, TLS) or UDP session, filled in by the relay as it goes.
 * Mutable and confined to the connection's event loop, like {@link RequestLog}. Bytes are counted as relayed:
 * {@code bytesIn} from the client, {@code bytesOut} to it. Times are {@link System#nanoTime()}.
 */
public final class L4Log {
    /** Why a connection or session ended, as the access log and metrics name it. */
    public enum CloseReason {
        /** the client closed (TCP) */
        CLIENT_CLOSED,
        /** the backend closed (TCP) */
        BACKEND_CLOSED,
        /** no byte or datagram either way for the idle timeout */
        IDLE_TIMEOUT,
        /** the backend could not be reached: connect failed, or the port answered ICMP unreachable (UDP) */
        BACKEND_UNREACHABLE,
        /** no route takes it, or its backend reference is invalid or has no endpoint */
        NO_ROUTE,
        /** the listener closed: removed by a reload, or the gateway is stopping */
        LISTENER_CLOSED,
        /** a socket error */
        ERROR;

        private final String label = name().toLowerCase(java.util.Locale.ROOT);

        public String label() {
            return label;
        }
    }

    private final int port;
    private final String protocol;
    private final InetSocketAddress client;
    private final long startNanos;
    private final long startEpochMillis;
    private RouteRef route;
    private String backend;
    private InetSocketAddress endpoint;
    private String serverName;
    private long bytesIn;
    private long bytesOut;
    private long endNanos;
    private CloseReason closeReason;

    /** @param protocol "tcp", "tls" or "udp" */
    public L4Log(int port, String protocol, InetSocketAddress client, long startNanos, long startEpochMillis) {
        this.port = port;
        this.protocol = protocol;
        this.client = client;
        this.startNanos = startNanos;
        this.startEpochMillis = startEpochMillis;
    }

    public int port() {
        return port;
    }

    public String protocol() {
        return protocol;
    }

    public InetSocketAddress client() {
        return client;
    }

    public long startNanos() {
        return startNanos;
    }

    public long startEpochMillis() {
        return startEpochMillis;
    }

    /** The route rule that took it, or {@code null} (no route). */
    public RouteRef route() {
        return route;
    }

    /** The backend's cluster name, or {@code null} (no route, or an invalid backendRef). */
    public String backend() {
        return backend;
    }

    public InetSocketAddress endpoint() {
        return endpoint;
    }

    /** The ClientHello's SNI name on a TLS port, else {@code null}. */
    public String serverName() {
        return serverName;
    }

    public long bytesIn() {
        return bytesIn;
    }

    public long bytesOut() {
        return bytesOut;
    }

    public long endNanos() {
        return endNanos;
    }

    public CloseReason closeReason() {
        return closeReason;
    }

    public void routed(RouteRef route, String backend) {
        this.route = route;
        this.backend = backend;
    }

    public void endpoint(InetSocketAddress endpoint) {
        this.endpoint = endpoint;
    }

    public void serverName(String serverName) {
        this.serverName = serverName;
    }

    public void addIn(long bytes) {
        bytesIn += bytes;
    }

    public void addOut(long bytes) {
        bytesOut += bytes;
    }

    /** @return false when it had already ended (the first reason stays) */
    public boolean end(CloseReason reason, long nanos) {
        if (closeReason != null) {
            return false;
        }
        closeReason = reason;
        endNanos = nanos;
        return true;
    }
}
