package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.ClientTrafficSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import io.netty.handler.codec.http.HttpDecoderConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * The client-side limits of one port, prepared once per snapshot so that accepting a connection costs a
 * map lookup: the policy's {@link ClientTrafficSpec} (or the server's defaults) and the HTTP/1.1 stack built from
 * it (decoder configuration, handler limits), shared by the port's connections.
 */
record PortLimits(ClientTrafficSpec spec, QuietHttp1Connection http1) {

    static PortLimits of(ClientTrafficSpec spec, ProxyContext context) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(spec.maxUriBytes())
                .setMaxHeaderSize(spec.maxHeaderBytes())
                .setMaxChunkSize(GatewayServer.MAX_CLIENT_READ) // a read's body goes up as one piece
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                // TE + CL, TE on HTTP/1.0 and a non-final chunked are decoder failures (-> 400)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
        return new PortLimits(spec, new QuietHttp1Connection(context, spec, config));
    }

    /**
     * Finds the limits of a local port in the current snapshot; the table is rebuilt when the snapshot
     * changes (one volatile read per accept otherwise). Safe from any event loop.
     */
    static final class Table {
        private record Cached(RuntimeSnapshot snapshot, Map<Integer, PortLimits> byPort) { }

        private final SnapshotHolder snapshots;
        private final ProxyContext context;
        private final PortLimits fallback;
        private volatile Cached cached;

        Table(SnapshotHolder snapshots, ClientTrafficSpec fallback, ProxyContext context) {
            this.snapshots = snapshots;
            this.context = context;
            this.fallback = of(fallback, context);
        }

        /** @param current the snapshot the connection was accepted under, read once by the caller (or null) */
        PortLimits forPort(RuntimeSnapshot current, int port) {
            if (current == null) {
                return fallback;
            }
            Cached c = cached;
            if (c == null || c.snapshot != current) {
                c = new Cached(current, build(current, context));
                cached = c;
            }
            return c.byPort.getOrDefault(port, fallback);
        }

        private static Map<Integer, PortLimits> build(RuntimeSnapshot snapshot, ProxyContext context) {
            Map<Integer, PortLimits> byPort = new HashMap<>();
            Map<ClientTrafficSpec, PortLimits> bySpec = new HashMap<>();
            if (snapshot.source() != null) {
                for (PortSpec p : snapshot.source().ports()) {
                    if (p.clientTraffic() != null) {
                        byPort.put(p.port(), bySpec.computeIfAbsent(p.clientTraffic(), spec -> of(spec, context)));
                    }
                }
            }
            return Map.copyOf(byPort);
        }
    }
}
