package dev.gatehouse.e2e;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS to backends through the real jar: {@code openssl s_server -www} backends with certificates of a test CA
 * made here, BackendTLSPolicies naming that CA in a ConfigMap. A verified backend answers; a policy with another
 * CA, or a hostname the certificate does not carry, gets a 502 naming the TLS failure (at once, not after a
 * timeout); subjectAltNames replace the hostname check; a backend that requires a client certificate gets the
 * Gateway's {@code spec.tls.backend.clientCertificateRef}; a backend that never answers the handshake gets a 502 after
 * the handshake timeout; a WebSocket reaches an {@code appProtocol: kubernetes.io/wss} backend over TLS; a policy
 * whose CA cannot be read answers 500.
 */
class BackendTlsEndToEndTest {
    @TempDir
    static Path dir;

    static GatewayProcess gateway;
    /** accepts connections (the kernel's backlog does) and never says a word: a handshake that never ends */
    static ServerSocket silent;
    static EventLoopGroup wssGroup;
    static final List<Process> servers = new ArrayList<>();
    static int port;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        Path ca = TestCertificates.authority(dir, "ca");
        Path otherCa = TestCertificates.authority(dir, "other-ca");
        Path server = TestCertificates.signed(dir, "backend", ca, "DNS:backend.example.com,URI:spiffe://test/backend");
        Path client = TestCertificates.signed(dir, "gateway-client", ca, "DNS:gateway.example.com");
        int plain = startBackend(server, List.of());
        int mutual = startBackend(server, List.of("-Verify", "1", "-CAfile", ca.toString()));
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int wss = startWebSocketBackend(server);
        port = GatewayProcess.freePort();
        // spec.tls after the listeners: the Gateway's backend client certificate
        String config = Configs.gateway("""
                  - {name: web, protocol: HTTP, port: %d}
                  tls:
                    backend:
                      clientCertificateRef: {name: gateway-client}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: gateway-client, namespace: default}
                type: kubernetes.io/tls
                stringData:
                  tls.crt: |
                %s
                  tls.key: |
                %s
                """.formatted(port, indent(Files.readString(dir.resolve("gateway-client.crt")), 4),
                indent(Files.readString(dir.resolve("gateway-client.key")), 4)))
                + configMap("backend-ca", ca) + configMap("other-ca", otherCa)
                + backend("verified", plain, "backend-ca", "backend.example.com", "")
                + backend("wrong-ca", plain, "other-ca", "backend.example.com", "")
                + backend("wrong-name", plain, "backend-ca", "other.example.com", "")
                + backend("by-san", plain, "backend-ca", "other.example.com",
                        "    subjectAltNames: [{type: URI, uri: \"spiffe://test/backend\"}]\n")
                + backend("mutual", mutual, "backend-ca", "backend.example.com", "")
                + backend("no-ca", plain, "missing-ca", "backend.example.com", "")
                + backend("silent", silent.getLocalPort(), "backend-ca", "backend.example.com", "")
                + backend("ws", wss, "backend-ca", "backend.example.com", "")
                    .replace("ports: [{name: http, port: 80}]", "ports: [{name: http, port: 80, appProtocol: kubernetes.io/wss}]")
                + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: all, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                """
                + rule("verified") + rule("wrong-ca") + rule("wrong-name") + rule("by-san") + rule("mutual")
                + rule("no-ca") + rule("silent") + rule("ws");
        Files.writeString(dir.resolve("gateway.yaml"), config);
        gateway = GatewayProcess.start(dir.resolve("gateway.yaml"), "-Xmx256m");
    }

    private static String indent(String text, int n) {
        return text.strip().lines().map(l -> " ".repeat(n) + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    static String configMap(String name, Path crt) throws IOException {
        return """
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: %s, namespace: default}
                data:
                  ca.crt: |
                %s
                """.formatted(name, indent(Files.readString(crt), 4));
    }

    /** Service "name" (port http 80) on the backend's port, and its BackendTLSPolicy. */
    static String backend(String name, int backendPort, String caConfigMap, String hostname, String sans) {
        return Configs.service(name, backendPort) + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: BackendTLSPolicy
                metadata: {name: %1$s, namespace: default}
                spec:
                  targetRefs: [{group: "", kind: Service, name: %1$s, sectionName: http}]
                  validation:
                    caCertificateRefs: [{group: "", kind: ConfigMap, name: %2$s}]
                    hostname: %3$s
                """.formatted(name, caConfigMap, hostname) + sans;
    }

    private static String rule(String name) {
        return "  - matches: [{path: {type: PathPrefix, value: /" + name + "}}]\n"
                + "    backendRefs: [{name: " + name + ", port: 80}]\n";
    }

    /** openssl s_server -www: an HTTP/1.0 status page per connection, with the client certificate when one came. */
    private static int startBackend(Path crt, List<String> more) throws Exception {
        int backendPort = GatewayProcess.freePort();
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + backendPort,
                "-cert", crt.toString(), "-key", crt.toString().replace(".crt", ".key"), "-www", "-quiet"));
        cmd.addAll(more);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("s_server-" + backendPort + ".log").toFile()).start();
        servers.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", backendPort)) {
                return backendPort;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    throw new IllegalStateException("openssl s_server did not start on " + backendPort);
                }
                Thread.sleep(100);
            }
        }
    }

    /** A Netty WebSocket echo on /ws behind TLS with the backend's certificate (appProtocol kubernetes.io/wss). */
    private static int startWebSocketBackend(Path crt) throws Exception {
        SslContext tls = SslContextBuilder.forServer(crt.toFile(), Path.of(crt.toString().replace(".crt", ".key")).toFile())
                .build();
        wssGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(wssGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()), new HttpServerCodec(),
                                new HttpObjectAggregator(65536), new WebSocketServerProtocolHandler("/ws"),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                        ctx.writeAndFlush(new TextWebSocketFrame("tls echo: " + f.text()));
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        if (wssGroup != null) {
            wssGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        if (gateway != null) {
            gateway.close();
        }
        for (Process p : servers) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (silent != null) {
            silent.close();
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBackendWhoseCertificateTheCaAndHostnameVerifyAnswers() throws Exception {
        HttpResponse<String> r = get("/verified");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("Ciphers supported in s_server binary");
    }

    @Test
    void aCertificateOfAnotherCaIsRefusedWithA502NamingTheTlsFailure() throws Exception {
        HttpResponse<String> r = get("/wrong-ca");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("TLS handshake failed").containsIgnoringCase("certification path");
    }

    @Test
    void aCertificateWithoutThePolicysHostnameIsRefused() throws Exception {
        HttpResponse<String> r = get("/wrong-name");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("TLS handshake failed").contains("other.example.com");
    }

    @Test
    void subjectAltNamesAuthenticateInsteadOfTheHostname() throws Exception {
        HttpResponse<String> r = get("/by-san");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void aBackendThatRequiresAClientCertificateGetsTheGatewaysOne() throws Exception {
        HttpResponse<String> r = get("/mutual");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("Client certificate").contains("CN=gateway-client");
    }

    @Test
    void aBackendThatNeverAnswersTheHandshakeGetsA502AfterTheHandshakeTimeoutNotAHang() throws Exception {
        HttpResponse<String> r = get("/silent");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("TLS handshake failed").contains("timed out");
    }

    @Test
    void aWebSocketToAWssBackendIsSplicedOverTls() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = WebSockets.open(client, URI.create("ws://127.0.0.1:" + port + "/ws"), received);
        ws.sendText("hello", true).get(10, TimeUnit.SECONDS);
        assertThat(received.poll(30, TimeUnit.SECONDS)).isEqualTo("tls echo: hello");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPolicyWhoseCaCannotBeReadAnswers500() throws Exception {
        HttpResponse<String> r = get("/no-ca");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("BackendTLSPolicy default/no-ca");
    }
}
