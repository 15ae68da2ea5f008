package dev.gatehouse.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Service port with {@code appProtocol: kubernetes.io/h2c} served by nghttpd (cleartext, prior knowledge), through
 * the jar, with curl over h2c and HTTP/1.1 and with h2load: the answers and their trailers arrive, many streams
 * share one upstream connection, and a dead h2c backend is a 502 with a reason (a gRPC call: 200 and grpc-status 14).
 */
class H2cBackendEndToEndTest {
    private static final String H2C = "kubernetes.io/h2c";
    @TempDir
    static Path dir;
    static Process nghttpd;
    static GatewayProcess gateway;
    static int port;
    static int backendPort;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(onPath("nghttpd") && onPath("h2load"), "nghttpd and h2load (nghttp2) are installed");
        Path docs = Files.createDirectories(dir.resolve("docs"));
        Files.writeString(docs.resolve("hello.txt"), "hello over h2c\n");
        backendPort = GatewayProcess.freePort();
        // no Content-Length, so an HTTP/1.1 client gets the body chunked, and the trailers in the last chunk
        nghttpd = new ProcessBuilder("nghttpd", "--no-tls", "--no-content-length", "--echo-upload",
                "-d", docs.toString(), "--trailer", "grpc-status: 0", "--trailer", "grpc-message: fine",
                Integer.toString(backendPort)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nghttpd.log").toFile()).start();
        awaitListening(backendPort);
        port = GatewayProcess.freePort();
        Path config = Files.createDirectories(dir.resolve("config"));
        Configs.write(config.resolve("gateway.yaml"), Configs.base(port)
                + Configs.service("grpc", backendPort, H2C)
                + Configs.service("gone", GatewayProcess.freePort(), H2C) + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: h2c, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: /gone}}]
                    backendRefs: [{name: gone, port: 80}]
                  - backendRefs: [{name: grpc, port: 80}]
                """);
        // one event loop, so one upstream pool: every stream of the load below can share one connection
        gateway = GatewayProcess.start(config, "-XX:ActiveProcessorCount=1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (nghttpd != null) {
            nghttpd.destroy();
            nghttpd.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anH2cClientGetsTheBodyAndTheTrailers() throws Exception {
        Curl.Result r = Curl.run("-v", "--http2-prior-knowledge", url("/hello.txt"));
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("hello over h2c\n");
        assertThat(r.stderr()).contains("< HTTP/2 200", "< grpc-status: 0", "< grpc-message: fine");
    }

    @Test
    void anHttp11ClientGetsTheTrailersInTheLastChunk() throws Exception {
        Curl.Result r = Curl.run("-i", "--raw", "--http1.1", url("/hello.txt"));
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked")
                .contains("hello over h2c\n", "\r\n0\r\ngrpc-status: 0\r\ngrpc-message: fine\r\n\r\n");
    }

    @Test
    void uploadsStreamToTheBackendAndBack() throws Exception {
        Path upload = dir.resolve("upload.bin");
        Files.write(upload, new byte[3 * 1024 * 1024]);
        for (String protocol : new String[] {"--http2-prior-knowledge", "--http1.1"}) {
            Curl.Result r = Curl.run(protocol, "-H", "Expect:", "--data-binary", "@" + upload, "-o", "/dev/null",
                    "-w", "%{http_code} %{size_download}", url("/echo"));
            assertThat(r.stdout()).as(protocol + " " + r.stderr()).isEqualTo("200 " + (3 * 1024 * 1024));
        }
    }

    @Test
    void manyConcurrentStreamsShareOneUpstreamConnection() throws Exception {
        Process load = new ProcessBuilder("h2load", "-n", "1000", "-c", "4", "-m", "20", url("/hello.txt"))
                .redirectErrorStream(true).start();
        String out = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(load.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("1000 succeeded, 0 failed", "status codes: 1000 2xx");
        // 80 streams at once from one event loop (nghttpd allows 100); the connection is still open (4 s idle timeout)
        assertThat(upstreamConnections(backendPort)).as("connections from the gateway to nghttpd").isEqualTo(1);
    }

    @Test
    void aDeadH2cBackendIs502WithAReasonAndAGrpcCallGetsUnavailable() throws Exception {
        Curl.Result plain = Curl.run("--http2-prior-knowledge", "-w", "\n%{http_code}", url("/gone/x"));
        assertThat(plain.stdout()).contains("upstream connect error: connection refused").endsWith("\n502");

        Curl.Result grpc = Curl.run("-v", "--http2-prior-knowledge", "-H", "content-type: application/grpc",
                "-H", "te: trailers", "--data-binary", "", "-w", "%{http_code}", url("/gone/pkg.Echo/Say"));
        assertThat(grpc.stdout()).isEqualTo("200");
        assertThat(grpc.stderr()).contains("< content-type: application/grpc", "< grpc-status: 14",
                "< grpc-message: upstream connect error: connection refused");
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Established TCP connections to a backend port (from the gateway: tests only talk to loopback). */
    static long upstreamConnections(int backendPort) throws Exception {
        Process ss = new ProcessBuilder("ss", "-Htn", "state", "established", "( dport = :" + backendPort + " )")
                .redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor(10, TimeUnit.SECONDS);
        return out.lines().filter(l -> !l.isBlank()).count();
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nghttpd did not listen on " + port);
    }
}
