package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.BackendProtocol;
import dev.gatehouse.proxy.testing.H2cBackend;
import dev.gatehouse.proxy.testing.RawHttp;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.HttpPortRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backends whose Service port says {@code kubernetes.io/h2c}: requests of one event loop share one HTTP/2
 * connection as streams, bodies stream both ways, trailers reach an HTTP/1.1 client in the last chunk, a refused
 * stream is retried on a new connection when the request is idempotent, and a gRPC call the gateway fails gets a
 * gRPC status, never an HTML page.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2UpstreamTest {
    private H2cBackend backend;
    private GatewayServer server;
    private int port;
    private int deadPort;

    /** An h2c Service port. */
    record H2Cluster(String name, List<InetSocketAddress> endpoints) implements Cluster {
        @Override
        public InetSocketAddress pick() {
            return endpoints.get(0);
        }

        @Override
        public BackendProtocol protocol() {
            return BackendProtocol.HTTP_2;
        }
    }

    @BeforeEach
    void start() throws Exception {
        backend = new H2cBackend();
        port = ProxyIntegrationTest.freePort();
        deadPort = ProxyIntegrationTest.freePort();
        // one event loop: every request uses the same pool, so the same h2 connection
        server = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1").withIoThreads(1));
        H2Cluster live = new H2Cluster("default/grpc:50051", List.of(backend.address()));
        H2Cluster dead = new H2Cluster("default/dead:50051", List.of(new InetSocketAddress("127.0.0.1", deadPort)));
        server.apply(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port, new TestRouter()
                .pathPrefix("/dead", TestRoute.to(dead))
                .pathPrefix("/gone", new TestRoute("r", List.of(),
                        new Backend(null, List.of(), "Service default/gone not found"), TimeoutSpec.NONE))
                .pathPrefix("/api", TestRoute.to(live)))));
    }

    @AfterEach
    void stop() {
        server.close();
        backend.close();
    }

    @Test
    void concurrentRequestsShareOneConnectionAsStreams() throws Exception {
        int n = 40;
        ExecutorService clients = Executors.newFixedThreadPool(n);
        try {
            List<Future<RawHttp.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String path = "/api/slow/" + i;
                replies.add(clients.submit(() -> get(path)));
            }
            for (int i = 0; i < n; i++) {
                RawHttp.Reply r = replies.get(i).get(30, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).endsWith("ok /api/slow/" + i);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(backend.connections()).as("h2 connections to the backend").isEqualTo(1);
        assertThat(backend.maxConcurrentStreams()).as("streams open at once on it").isGreaterThan(1);
    }

    @Test
    void trailersReachAnHttp11ClientInTheLastChunk() throws Exception {
        RawHttp.Reply r = get("/api/grpc");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).containsIgnoringCase("transfer-encoding: chunked")
                .contains("\r\n2\r\nhi\r\n0\r\ngrpc-status: 0\r\ngrpc-message: ok\r\n\r\n");
    }

    @Test
    void requestBodiesStreamUpAndResponsesStreamBack() throws Exception {
        int size = 256 * 1024; // four default stream windows: flow control must move, both ways
        StringBuilder head = new StringBuilder("POST /api/echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n")
                .append("Content-Length: ").append(size).append("\r\n\r\n");
        byte[] request = new byte[head.length() + size];
        byte[] h = head.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(h, 0, request, 0, h.length);
        java.util.Arrays.fill(request, h.length, request.length, (byte) 'x');
        RawHttp.Reply r = RawHttp.send(port, request, 5000);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).contains("x-bytes: " + size);
        assertThat(r.text().chars().filter(c -> c == 'x').count()).isGreaterThanOrEqualTo(size);
    }

    /**
     * The backend answers while the body is still coming (the echo's head comes back at once): the rest of the body
     * still goes up. The client's connection is to close after this exchange (its response head says so, as the
     * request was not over), and that closing used to drop everything the client sent after it, this request's
     * body too: the backend waited for the end of the body, the client for the end of the echo. Each step waits for
     * the one before, so no timing decides whether the head comes back before the rest is sent.
     */
    @Test
    void theRestOfABodyStillGoesUpAfterTheResponseHeadCameBack() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4000\r\n\r\n" + "z".repeat(1000))
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String soFar = untilEchoed(s.getInputStream(), 'z', 1000);
            assertThat(soFar).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");

            out.write("q".repeat(3000).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            RawHttp.Reply rest = RawHttp.read(s.getInputStream());
            assertThat(rest.text().chars().filter(c -> c == 'q').count()).as("the rest, echoed").isEqualTo(3000);
            assertThat(rest.text()).contains("x-bytes: 4000").endsWith("\r\n\r\n");
        }
    }

    /** Reads the response head and body until {@code n} of {@code c} came back in the body. */
    private static String untilEchoed(InputStream in, char c, int n) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buf = new byte[8192];
        while (true) {
            int body = text.indexOf("\r\n\r\n");
            if (body >= 0 && text.substring(body).chars().filter(ch -> ch == c).count() >= n) {
                return text.toString();
            }
            int read = in.read(buf);
            assertThat(read).as("bytes before the end, after %s", text).isPositive();
            text.append(new String(buf, 0, read, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void aRefusedStreamIsRetriedOnANewConnectionWhenTheRequestIsIdempotent() throws Exception {
        assertThat(get("/api/warm").status()).isEqualTo(200);
        backend.refusals.set(1);
        RawHttp.Reply r = get("/api/refuse/get");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).endsWith("ok /api/refuse/get");
        assertThat(backend.requests()).filteredOn(s -> s.endsWith("/api/refuse/get")).hasSize(2);
        assertThat(backend.connections()).as("the retry went to a new connection").isEqualTo(2);
    }

    @Test
    void aRefusedStreamOfAPostIsA502WithTheReason() throws Exception {
        backend.refusals.set(1);
        RawHttp.Reply r = RawHttp.send(port, "POST /api/refuse/post HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n", 5000);
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.text()).contains("REFUSED_STREAM", "POST not replayed");
        assertThat(backend.requests()).filteredOn(s -> s.endsWith("/api/refuse/post")).hasSize(1);
    }

    @Test
    void aDeadBackendIs502WithAReasonAndAGrpcCallGetsUnavailable() throws Exception {
        RawHttp.Reply plain = get("/dead/x");
        assertThat(plain.status()).isEqualTo(502);
        assertThat(plain.text()).contains("connection refused");

        RawHttp.Reply grpc = RawHttp.send(port, "POST /dead/pkg.Svc/Call HTTP/1.1\r\nHost: a\r\n"
                + "Content-Type: application/grpc\r\nTE: trailers\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                5000);
        assertThat(grpc.status()).isEqualTo(200);
        assertThat(grpc.text()).contains("content-type: application/grpc", "grpc-status: 14",
                "grpc-message: upstream connect error: connection refused");
    }

    @Test
    void aGrpcCallToAnInvalidBackendRefIsUnavailableAndAPlainRequestA500() throws Exception {
        assertThat(get("/gone/x").status()).isEqualTo(500);
        RawHttp.Reply grpc = RawHttp.send(port, "POST /gone/pkg.Svc/Call HTTP/1.1\r\nHost: a\r\n"
                + "Content-Type: application/grpc\r\nTE: trailers\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                5000);
        assertThat(grpc.status()).isEqualTo(200);
        assertThat(grpc.text()).contains("grpc-status: 14",
                "grpc-message: backendRef invalid: Service default/gone not found");
    }

    /** A Trailers-Only answer (one HEADERS frame ending the stream) reaches an HTTP/1.1 client as head and end. */
    @Test
    void aBackendsTrailersOnlyAnswerReachesAnHttp11ClientWithItsStatusInTheHead() throws Exception {
        RawHttp.Reply r = get("/api/grpc-error");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).contains("grpc-status: 9", "grpc-message: refused").endsWith("\r\n0\r\n\r\n");
    }

    @Test
    void aGrpcCallWithNoRouteIsUnimplemented() throws Exception {
        RawHttp.Reply grpc = RawHttp.send(port, "POST /nowhere.Svc/Call HTTP/1.1\r\nHost: a\r\n"
                + "Content-Type: application/grpc+proto\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 5000);
        assertThat(grpc.status()).isEqualTo(200);
        assertThat(grpc.text()).contains("grpc-status: 12", "grpc-message: no route for host a path /nowhere.Svc/Call",
                "connection: close", "content-length: 0").doesNotContainIgnoringCase("not found");
    }

    private RawHttp.Reply get(String path) throws Exception {
        return RawHttp.send(port, "GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 5000);
    }
}
