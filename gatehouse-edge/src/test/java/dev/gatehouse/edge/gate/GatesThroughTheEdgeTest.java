package dev.gatehouse.edge.gate;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.EdgeServer;
import dev.gatehouse.edge.pool.EdgeNode;
import dev.gatehouse.edge.pool.NodeSet;
import dev.gatehouse.edge.pool.StaticNodeSource;
import dev.gatehouse.edge.testing.Loopback;
import dev.gatehouse.edge.testing.RecordingBackend;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gates through the real edge on loopback, with real clients: curl (--resolve) for HTTP Host, openssl s_client
 * (-servername) for TLS SNI; what is refused never reaches the node, what is allowed reaches it whole, PROXY
 * header first.
 */
@Timeout(120)
class GatesThroughTheEdgeTest {
    private static final Path CURL = Path.of("/usr/bin/curl");
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");

    private RecordingBackend node;
    private EdgeServer edge;
    private EventLoopGroup redirectGroup;

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
        if (node != null) {
            node.close();
        }
        if (redirectGroup != null) {
            redirectGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private InetSocketAddress startEdge() throws Exception {
        node = RecordingBackend.start("node-a", new InetSocketAddress("127.0.0.1", 0));
        int listenPort = Loopback.freePort("127.0.0.1");
        InetSocketAddress listen = new InetSocketAddress("127.0.0.1", listenPort);
        edge = EdgeServer.start(new EdgeOptions(List.of(listen), List.of(), Map.of(), null, null, null,
                EdgeOptions.NodeAddress.INTERNAL, EdgeOptions.Balance.LEAST_CONNECTIONS, EdgeOptions.ProxyProtocol.V2,
                new EdgeOptions.HealthCheck(null, 0, Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 2),
                Duration.ofSeconds(60), Duration.ofSeconds(2), false, List.of("a.example.com", "*.example.net"), false,
                false, null, EdgeOptions.Transport.AUTO), new StaticNodeSource(new NodeSet(List.of(new EdgeNode("node-a", "127.0.0.1")),
                Map.of(listenPort, node.port()))));
        return listen;
    }

    @Test
    void httpHostsAreCheckedWithCurl() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CURL), "curl is not installed: the gate is not tried with it");
        InetSocketAddress edgeAddress = startEdge();
        int port = edgeAddress.getPort();
        assertThat(run(CURL.toString(), "-sS", "-o", "-", "-w", " %{http_code}", "--resolve",
                "a.example.com:" + port + ":127.0.0.1", "http://a.example.com:" + port + "/x")).isEqualTo("node-a 200");
        assertThat(run(CURL.toString(), "-sS", "-o", "-", "-w", " %{http_code}", "--resolve",
                "deep.x.example.net:" + port + ":127.0.0.1", "http://deep.x.example.net:" + port + "/")).isEqualTo("node-a 200");
        assertThat(run(CURL.toString(), "-sS", "-o", "-", "-w", " %{http_code}", "--resolve",
                "b.example.com:" + port + ":127.0.0.1", "http://b.example.com:" + port + "/"))
                .isEqualTo("Misdirected Request\n 421");
        assertThat(node.seen).hasSize(2).allSatisfy(s -> {
            assertThat(s.kind()).isEqualTo("http");
            assertThat(s.proxiedSource()).startsWith("127.0.0.1:");
        });
        assertThat(edge.registry().scrape()).contains("gatehouse_edge_gate_refused_total{reason=\"host_not_allowed\"} 1.0");
    }

    @Test
    void tlsServerNamesAreCheckedWithOpensslWithoutTerminatingTls() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(OPENSSL), "openssl is not installed: the gate is not tried with it");
        InetSocketAddress edgeAddress = startEdge();
        String connect = "127.0.0.1:" + edgeAddress.getPort();
        run(OPENSSL.toString(), "s_client", "-connect", connect, "-servername", "x.example.net");
        await().atMost(Duration.ofSeconds(10)).until(() -> node.seen.size() == 1);
        assertThat(node.seen.get(0).kind()).as("the ClientHello reached the node as sent").isEqualTo("tls");
        run(OPENSSL.toString(), "s_client", "-connect", connect, "-servername", "evil.example.com");
        run(OPENSSL.toString(), "s_client", "-connect", connect, "-noservername");
        assertThat(edge.registry().scrape())
                .contains("gatehouse_edge_gate_refused_total{reason=\"host_not_allowed\"} 1.0")
                .contains("gatehouse_edge_gate_refused_total{reason=\"no_host\"} 1.0");
        assertThat(node.seen).as("refused ClientHellos never reach a node").hasSize(1);
    }

    /** --redirect-http's listener (bound on a free port here: port 80 is not a test's to take) answers curl. */
    @Test
    void theRedirectListenerSendsCurlToHttps() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CURL), "curl is not installed: the redirect is not tried with it");
        redirectGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(redirectGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        HttpsRedirect.init(ch.pipeline(), HttpsRedirect.httpsPort(List.of(
                                new InetSocketAddress(80), new InetSocketAddress(443))), 60);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        String out = run(CURL.toString(), "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                "--resolve", "a.example.com:" + port + ":127.0.0.1", "http://a.example.com:" + port + "/p?q=1");
        assertThat(out).isEqualTo("301 https://a.example.com/p?q=1");
        server.close().sync();
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(false)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end");
        }
        return out;
    }
}
