package dev.gatehouse.e2e;

import dev.gatehouse.app.demo.EchoServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The jar in its own JVM, a real backend, real clients: curl (HTTP/1.1, h2c), the JDK client, raw sockets. */
class ProxyEndToEndTest {
    @TempDir
    static Path dir;
    static EchoServer backend;
    static GatewayProcess gateway;
    static int port;
    static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "backend-1", "default");
        port = GatewayProcess.freePort();
        deadPort = GatewayProcess.freePort();
        Configs.write(dir.resolve("gateway.yaml"), Configs.base(port)
                + Configs.service("echo", backend.address().getPort())
                + Configs.service("dead", deadPort)
                + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: echo, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: [echo.example.com]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: /dead}}]
                    backendRefs: [{name: dead, port: 80}]
                  - backendRefs: [{name: echo, port: 80}]
                """);
        gateway = GatewayProcess.start(dir, "-Xmx256m");
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        backend.close();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    void http11ThroughCurlReachesTheBackendWithForwardedHeaders() throws Exception {
        Curl.Result r = Curl.run("-H", "Host: echo.example.com", "-H", "X-Forwarded-For: 203.0.113.9", url("/v1/hello?x=1"));
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("\"pod\":\"backend-1\"", "\"path\":\"/v1/hello?x=1\"",
                "\"host\":\"echo.example.com\"", "\"x-forwarded-for\":\"203.0.113.9, 127.0.0.1\"",
                "\"x-forwarded-proto\":\"http\"");
    }

    @Test
    void h2cPriorKnowledgeAndUpgradeBothWork() throws Exception {
        Curl.Result prior = Curl.run("--http2-prior-knowledge", "-H", "Host: echo.example.com",
                "-w", "\\n%{http_version} %{http_code}", url("/h2"));
        assertThat(prior.stdout()).contains("\"path\":\"/h2\"").endsWith("\n2 200");
        Curl.Result upgrade = Curl.run("--http2", "-H", "Host: echo.example.com",
                "-w", "\\n%{http_version} %{http_code}", url("/upgrade"));
        assertThat(upgrade.stdout()).contains("\"path\":\"/upgrade\"").endsWith("\n2 200");
    }

    @Test
    void unknownHostIs404AndNeverReachesTheBackend() throws Exception {
        long before = backend.requests();
        Curl.Result r = Curl.run("-H", "Host: other.example.com", "-w", "\\n%{http_code}", url("/x"));
        assertThat(r.stdout()).endsWith("\n404");
        assertThat(backend.requests()).isEqualTo(before);
    }

    @Test
    void deadBackendIs502WithAReason() throws Exception {
        Curl.Result r = Curl.run("-H", "Host: echo.example.com", "-w", "\\n%{http_code}", url("/dead"));
        assertThat(r.stdout()).endsWith("\n502").containsIgnoringCase("connect");
    }

    @Test
    void serverSentEventsArriveOneByOne() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<Stream<String>> response = client.send(HttpRequest.newBuilder(URI.create(url("/sse")))
                .header("Host", "echo.example.com").build(), HttpResponse.BodyHandlers.ofLines());
        List<Long> arrivals = new ArrayList<>();
        long start = System.nanoTime();
        try (Stream<String> lines = response.body()) {
            lines.filter(l -> l.startsWith("data:")).forEach(l -> arrivals.add((System.nanoTime() - start) / 1_000_000));
        }
        assertThat(arrivals).hasSize(5);
        // The backend sends one event every 200 ms: buffered, they would all arrive together at the end; a client slow
        // to read may bunch a few, so half the 800 ms from first to last is enough.
        assertThat(arrivals.get(4) - arrivals.get(0)).isGreaterThan(400);
    }

    @Test
    void conflictingContentLengthsAre400AndNeverReachTheBackend() throws Exception {
        long before = backend.requests();
        String reply = raw("POST / HTTP/1.1\r\nHost: echo.example.com\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
        assertThat(reply).startsWith("HTTP/1.1 400");
        reply = raw("POST / HTTP/1.1\r\nHost: echo.example.com\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n");
        assertThat(reply).startsWith("HTTP/1.1 400");
        assertThat(backend.requests()).isEqualTo(before);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String reply = raw("GET /first HTTP/1.1\r\nHost: echo.example.com\r\n\r\n"
                + "GET /second HTTP/1.1\r\nHost: echo.example.com\r\nConnection: close\r\n\r\n");
        assertThat(reply.indexOf("\"path\":\"/first\"")).isPositive()
                .isLessThan(reply.indexOf("\"path\":\"/second\""));
    }

    @Test
    void aOneGibibyteUploadStreamsThroughA256MegabyteHeap() throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "head -c 1073741824 /dev/zero | curl -sS --max-time 120 -T - "
                + "-H 'Host: echo.example.com' -H 'Expect:' " + url("/upload")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(err).isZero();
        assertThat(out).contains("\"bodyBytes\":1073741824");
    }

    private String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder b = new StringBuilder();
            byte[] buf = new byte[8192];
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int n;
            try {
                while (System.nanoTime() < deadline && (n = in.read(buf)) > 0) {
                    b.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    if (b.indexOf("\"path\":\"/second\"") > 0 || b.toString().startsWith("HTTP/1.1 400") && b.indexOf("\r\n\r\n") > 0) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException done) {
                // the gateway closed or went quiet; what we have is the answer
            }
            return b.toString();
        }
    }
}
