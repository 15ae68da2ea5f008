package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.ClientTrafficSpec;
import dev.gatehouse.proxy.http.ConnectionTimeoutHandler;
import dev.gatehouse.proxy.http.ForwardedClientCert;
import dev.gatehouse.proxy.http.Http2ClientStreams;
import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.proxy.http1.StrictHttpServerCodec;
import dev.gatehouse.proxy.l4.L4Pipeline;
import dev.gatehouse.proxy.l4.L4Settings;
import dev.gatehouse.proxy.proxyprotocol.ProxyProtocolGate;
import dev.gatehouse.routing.proxyprotocol.ProxyProtocolPolicy;
import dev.gatehouse.routing.route.L4PortRouter;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import dev.gatehouse.routing.tls.PortCertificates;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.util.AsciiString;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Builds the pipeline of an accepted connection: on a TCP or TLS passthrough port the L4 relay's
 * ({@link L4Pipeline}); on an HTTP port, from the limits of its port (a
 * ClientTrafficPolicy, else the server's defaults). A cleartext port serves HTTP/1.1, h2c with prior knowledge and
 * h2c via {@code Upgrade: h2c}; an HTTPS port (one with certificates in the snapshot) starts with
 * {@code SniHandler -> AlpnSwitch}, which installs the HTTP/1.1 codec or the h2 stack below once the handshake is done:
 * <pre>
 * timeouts -> CleartextUpgradeHandler (peeks at the preface)
 *          -> StrictHttpServerCodec -> H2cUpgradeHandler -> HttpProxyHandler    (HTTP/1.1)
 *          -> FlushConsolidation -> Http2HeaderBlockWatch -> Http2Frontend                          (h2c)
 *               each stream: an Http2ClientStream (no channel) and its HttpProxyHandler
 * QuietHttp1Connection.StandIn alone  (HTTP/1.1 quiet between requests: timeouts, codec and proxy come back with the
 *                                     next bytes)
 * </pre>
 * A port with PROXY protocol puts {@link ProxyProtocolGate} in front for connections from its trusted sources and
 * builds the rest once the header is read.
 * Streams are served on the connection's event loop, so upstream connections of h2 requests come from
 * the same per-loop pool as HTTP/1.1 ones.
 */
final class FrontendInitializer extends ChannelInitializer<Channel> {
    /** Per-connection concurrent streams when no policy says otherwise (Envoy's edge guidance, Netty's default). */
    static final int MAX_CONCURRENT_STREAMS = 100;
    /** HTTP/2 connection flow-control window (Envoy's edge guidance and Armeria's default). */
    static final int CONNECTION_WINDOW = 1024 * 1024;
    /**
     * Rapid reset (CVE-2023-44487): client RST_STREAMs per window before GOAWAY(ENHANCE_YOUR_CALM). A browser
     * cancels a handful of streams per page; 200 in 30 s is Netty's own default, set here so it is visible.
     */
    static final int MAX_CLIENT_RESETS = 200;
    static final int RESET_WINDOW_SECONDS = 30;
    /**
     * MadeYouReset (CVE-2025-8671): RST_STREAMs WE send because the client provoked a stream error (bad
     * WINDOW_UPDATE, DATA on a closed stream, refused streams...) per window; CANCEL and NO_ERROR don't count.
     */
    static final int MAX_SERVER_RESETS = 200;
    /** CONTINUATION flood: consecutive small (incl. zero-length) CONTINUATION frames before GOAWAY. */
    static final int MAX_SMALL_CONTINUATIONS = 16;
    /** Empty DATA frames in a row (each costs a dispatch, carries nothing) before GOAWAY. */
    static final int MAX_EMPTY_DATA_FRAMES = 2;
    /** Control frames (ACKs, RSTs) queued unwritten because the client does not read: beyond, GOAWAY. */
    static final int MAX_QUEUED_CONTROL_FRAMES = 1000;

    private final ProxyContext context;
    private final PortLimits.Table limits;
    private final SnapshotHolder snapshots;
    private final L4Settings l4;
    private final ConnectionCounter counter;

    FrontendInitializer(ProxyContext context, ServerOptions options) {
        this(context, options, null, null, null);
    }

    /**
     * @param l4 how TCP and TLS passthrough ports connect to backends, or {@code null} when none are bound
     * @param counter the connection gauges, told when a connection switches to h2; null when nothing observes
     */
    FrontendInitializer(ProxyContext context, ServerOptions options, SnapshotHolder snapshots, L4Settings l4,
                        ConnectionCounter counter) {
        this.context = context;
        this.limits = new PortLimits.Table(snapshots, options.clientTraffic(), context);
        this.snapshots = snapshots;
        this.l4 = l4;
        this.counter = counter;
    }

    @Override
    protected void initChannel(Channel ch) {
        // one snapshot read and one port lookup per accept: the router, limits and certificates then come from the
        // same config even when a reload lands meanwhile
        RuntimeSnapshot current = snapshots == null ? null : snapshots.current();
        int localPort = localPort(ch);
        ProxyProtocolPolicy proxyProtocol = current == null ? null : current.proxyProtocol(localPort);
        if (proxyProtocol != null && ch.remoteAddress() instanceof InetSocketAddress source
                && proxyProtocol.trusts(source)) {
            // the port's pipeline goes in once the header has named the client (L4 relays and SNI peeks included)
            ProxyProtocolGate.install(ch, proxyProtocol.optional(), localPort, context.observer(),
                    c -> serve(c, current, localPort));
            return;
        }
        serve(ch, current, localPort);
    }

    private void serve(Channel ch, RuntimeSnapshot current, int localPort) {
        L4PortRouter l4Router = current == null || l4 == null ? null : current.l4Router(localPort);
        if (l4Router != null) {
            L4Pipeline.init(ch, l4Router, l4);
            return;
        }
        PortCertificates tls = current == null ? null : current.certificates(localPort);
        if (tls != null && tls.byServerName() == null) {
            ch.close(); // an HTTPS port whose every certificate failed: never answer it in cleartext
            return;
        }
        PortLimits port = limits.forPort(current, localPort);
        ClientTrafficSpec spec = port.spec();
        ConnectionTimeoutHandler timeouts = port.http1().newTimeouts();
        StrictHttpServerCodec codec = port.http1().newCodec();
        Http2StreamCount streams = new Http2StreamCount(timeouts);
        HttpServerUpgradeHandler upgrade = new H2cUpgradeHandler(codec, protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(newFrontend(spec, localPort, streams))
                        : null);
        ChannelHandler priorKnowledge = new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast(new FlushConsolidationHandler(256, true), newFrontend(spec, localPort, streams));
            }
        };
        if (spec.forwardClientCert() != null) {
            ForwardedClientCert.configure(ch, spec.forwardClientCert());
        }
        ChannelPipeline p = ch.pipeline();
        p.addLast(QuietHttp1Connection.TIMEOUTS, timeouts);
        if (tls != null) {
            // TLS: the SNI name picks the SslContext (mapping built per snapshot), ALPN picks h1 or h2
            SniHandler sni = new SniHandler(tls.byServerName());
            p.addLast("sni", sni);
            p.addLast("alpn", new AlpnSwitch(codec, priorKnowledge, sni, tls));
        } else {
            p.addLast("h2c", new CleartextUpgradeHandler(codec, upgrade, priorKnowledge));
        }
        p.addLast(QuietHttp1Connection.PROXY, port.http1().newProxyHandler(timeouts));
    }

    private static int localPort(Channel ch) {
        SocketAddress a = ch.localAddress();
        return a instanceof InetSocketAddress ip ? ip.getPort() : 0;
    }

    /** The h2 side of a connection, with this port's limits; it reports to the observer when there is one. */
    private Http2Frontend newFrontend(ClientTrafficSpec spec, int localPort, Http2StreamCount streams) {
        return newFrontend(spec, context, streams, counter, localPort);
    }

    static Http2Frontend newFrontend(ClientTrafficSpec spec, ProxyContext context, Http2StreamCount streams,
                                     ConnectionCounter counter, int localPort) {
        return new Http2Frontend.Builder(spec,
                handler -> new Http2ClientStreams(context, handler, spec.maxHeaderFields(), spec.backendResponse(),
                        spec.bodyIdle(), spec.bodyTotal(), spec.minBodyRateBytesPerSecond()),
                streams, counter, context.observer(), localPort).build();
    }
}
