package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.TlsSpec;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.proxy.http.ProxyContext;
import dev.gatehouse.proxy.http1.StrictHttpServerCodec;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.route.Route;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotHolder;
import dev.gatehouse.routing.tls.PortCertificates;
import dev.gatehouse.proxy.upstream.UpstreamPools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TLS frontend ({@link FrontendInitializer} on a port with certificates, {@link AlpnSwitch}) in an
 * {@link EmbeddedChannel}, handshaking with a Netty TLS client in another: ALPN installs the HTTP/1.1 codec or the
 * h2 stack, the SNI name reaches the 421 check, and no buffer leaks (paranoid detector, LeakCheckExtension).
 */
class TlsFrontendTest {
    @TempDir
    static Path dir;

    static EventLoopGroup group;
    static FrontendInitializer initializer;
    /** Routes nothing (404); a host other than the server name is misdirected. */
    static final HttpPortRouter ROUTER = new HttpPortRouter() {
        @Override
        public Route route(HttpExchange exchange) {
            return null;
        }

        @Override
        public boolean isMisdirected(String sniHost, String host) {
            return sniHost != null && !sniHost.equals(host);
        }
    };

    @BeforeAll
    static void setUp() throws Exception {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem");
        openssl("req", "-x509", "-new", "-key", "k.pem", "-subj", "/CN=a.test", "-days", "2",
                "-addext", "subjectAltName=DNS:a.test", "-out", "c.pem");
        TlsSpec tls = new TlsSpec(List.of(new TlsSpec.CertificateSpec("default/a",
                Files.readString(dir.resolve("c.pem")), Files.readString(dir.resolve("k.pem")))));
        // EmbeddedChannel's local port is 0
        PortSpec port = new PortSpec(0, Protocol.HTTPS, List.of(new ListenerSpec("default/gw", "a", null, tls, List.of())));
        RuntimeSnapshot snapshot = new RuntimeSnapshot(new Snapshot(1, List.of(port), List.of()),
                Map.<Integer, HttpPortRouter>of(0, ROUTER), Map.of(), Map.of(0, PortCertificates.compile(port, Map.of())));
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ProxyContext context = new ProxyContext(new SnapshotHolder(snapshot), new UpstreamPools(group,
                NioSocketChannel.class, Duration.ofSeconds(1)));
        ServerOptions options = new ServerOptions("127.0.0.1", 1, Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofSeconds(1), Duration.ofSeconds(5), 1024, 256);
        initializer = new FrontendInitializer(context, options, new SnapshotHolder(snapshot), null, null);
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void http11ByAlpnGetsTheCodecAndAHostOtherThanTheServerNameIsMisdirected() throws Exception {
        EmbeddedChannel server = new EmbeddedChannel(initializer);
        EmbeddedChannel client = client("a.test", ApplicationProtocolNames.HTTP_1_1);
        handshake(client, server);
        assertThat(server.pipeline().get(StrictHttpServerCodec.class)).isNotNull();
        assertThat(server.pipeline().get(AlpnSwitch.class)).isNull();

        client.writeOutbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: b.test\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat(exchange(client, server)).startsWith("HTTP/1.1 421");
        client.writeOutbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat(exchange(client, server)).startsWith("HTTP/1.1 404");
        server.finishAndReleaseAll();
        client.finishAndReleaseAll();
    }

    @Test
    void h2ByAlpnGetsTheH2Stack() throws Exception {
        EmbeddedChannel server = new EmbeddedChannel(initializer);
        EmbeddedChannel client = client("a.test", ApplicationProtocolNames.HTTP_2);
        handshake(client, server);
        // one connection handler serves the streams itself: no child channel per stream, no conversion codec
        assertThat(server.pipeline().get(Http2Frontend.class)).isNotNull();
        assertThat(server.pipeline().get(Http2MultiplexHandler.class)).isNull();
        assertThat(server.pipeline().get(StrictHttpServerCodec.class)).isNull();
        server.finishAndReleaseAll();
        client.finishAndReleaseAll();
    }

    @Test
    void cleartextOnAnHttpsPortIsClosedWithoutAnAnswer() {
        EmbeddedChannel server = new EmbeddedChannel(initializer);
        server.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", StandardCharsets.US_ASCII));
        server.runPendingTasks();
        assertThat(server.isOpen()).isFalse();
        for (Object o; (o = server.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            assertThat(b.toString(StandardCharsets.US_ASCII)).doesNotContain("HTTP/1.1");
            b.release();
        }
        server.finishAndReleaseAll();
    }

    private static EmbeddedChannel client(String serverName, String alpn) throws Exception {
        SslHandler ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
                .build().newHandler(ByteBufAllocator.DEFAULT, serverName, 443);
        return new EmbeddedChannel(ssl);
    }

    private static void handshake(EmbeddedChannel client, EmbeddedChannel server) {
        SslHandler ssl = client.pipeline().get(SslHandler.class);
        for (int i = 0; i < 20 && !ssl.handshakeFuture().isDone(); i++) {
            pump(client, server);
        }
        assertThat(ssl.handshakeFuture().isSuccess()).as(String.valueOf(ssl.handshakeFuture().cause())).isTrue();
        pump(client, server); // the server's last flight and the ALPN switch
    }

    /** Moves the bytes each side wrote to the other, once. */
    private static void pump(EmbeddedChannel client, EmbeddedChannel server) {
        client.runPendingTasks();
        for (Object o; (o = client.readOutbound()) != null; ) {
            server.writeInbound(o);
        }
        server.runPendingTasks();
        for (Object o; (o = server.readOutbound()) != null; ) {
            client.writeInbound(o);
        }
    }

    /** Pumps until the client has decrypted something; returns it. */
    private static String exchange(EmbeddedChannel client, EmbeddedChannel server) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10 && sb.isEmpty(); i++) {
            pump(client, server);
            for (Object o; (o = client.readInbound()) != null; ) {
                ByteBuf b = (ByteBuf) o;
                sb.append(b.toString(StandardCharsets.US_ASCII));
                b.release();
            }
        }
        return sb.toString();
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }
}
