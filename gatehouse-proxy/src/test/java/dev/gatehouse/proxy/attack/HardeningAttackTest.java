package dev.gatehouse.proxy.attack;

import dev.gatehouse.ir.FilterSpec;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.proxy.attack.AttackCatalogue.Attack;
import dev.gatehouse.routing.filter.DirectResponseFilter;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.proxy.testing.RawHttp;
import dev.gatehouse.proxy.testing.RawHttp.Reply;
import dev.gatehouse.proxy.testing.RecordingBackend;
import dev.gatehouse.proxy.testing.RecordingBackend.Received;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hardening contract over real loopback sockets: each attack of {@link AttackCatalogue} is sent raw to a
 * {@link GatewayServer} whose only backend is a {@link RecordingBackend}; the test checks the status AND what the
 * backend received (nothing, or exactly one regular request with the normalised path), then sends a clean request
 * that must be the only other thing the backend sees (one event loop, so it reuses the pooled upstream connection
 * when one is idle: stray bytes left there by the attack would show up as a flagged request).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HardeningAttackTest {
    static RecordingBackend backend;
    static GatewayServer gateway;
    static int port;
    static final ConcurrentLinkedQueue<Received> everything = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        backend = new RecordingBackend();
        port = freePort();
        TestCluster cluster = new TestCluster("default/app:80", List.of(backend.address()));
        Backend toApp = new Backend(cluster, List.of(), null);
        DirectResponseFilter deny = DirectResponseFilter.compile(new FilterSpec.DirectResponseSpec(403,
                List.of(new FilterSpec.HeaderSpec("Cache-Control", "no-store")), "forbidden\n"));
        HttpFilter addsIdentity = new HttpFilter() {
            @Override
            public FilterResult onRequest(HttpExchange exchange) {
                exchange.request().headers().set("x-auth-user", "alice"); // what an auth filter will do
                return FilterResult.CONTINUE;
            }
        };
        TestRouter router = new TestRouter()
                .when(ex -> ex.path().startsWith("/filtered"),
                        new TestRoute("filtered", List.of(addsIdentity), toApp, TimeoutSpec.NONE))
                .when(ex -> ex.path().equals("/admin") || ex.path().startsWith("/admin/"),
                        new TestRoute("admin", List.of(deny), toApp, TimeoutSpec.NONE))
                .when(ex -> true, new TestRoute("app", List.of(), toApp, TimeoutSpec.NONE));
        // one event loop: every upstream request of the test shares one pool
        ServerOptions options = new ServerOptions("127.0.0.1", 1, Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofSeconds(1), Duration.ofSeconds(5), 64 * 1024, 16 * 1024);
        gateway = new GatewayServer(options);
        gateway.apply(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port, router)));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
        List<Received> irregular = everything.stream().filter(r -> !r.regular()).toList();
        assertThat(irregular).as("no irregular request ever reached the backend").isEmpty();
    }

    static List<Attack> attacks() {
        return AttackCatalogue.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void attackIsRefusedOrNeutralised(Attack attack) throws Exception {
        backend.clear();
        Reply reply = RawHttp.send(port, attack.raw(), 250);
        assertThat(reply.status()).as("%s: status; reply was %s", attack, head(reply)).isEqualTo(attack.status());
        List<Received> seen = settle(attack.outcome() == AttackCatalogue.Outcome.ONE ? 1 : 0);
        everything.addAll(seen);
        switch (attack.outcome()) {
            case NONE -> assertThat(seen).as("%s: the backend must see nothing", attack).isEmpty();
            case ONE -> {
                assertThat(seen).as("%s: exactly one request at the backend", attack).hasSize(1);
                Received r = seen.get(0);
                assertThat(r.regular()).as("%s: regular at the backend: %s", attack, r).isTrue();
                assertThat(r.path()).as("%s: forwarded path", attack).isEqualTo(attack.path());
                assertThat(attack.check().test(r)).as("%s: backend check on %s %s", attack, r, headersOf(r)).isTrue();
            }
        }
        if (attack.raw().contains("Expect: 100-continue") && attack.status() >= 400) {
            assertThat(reply.statuses()).as("%s: no 100 Continue for a refused request", attack).doesNotContain(100);
        }
        if (attack.status() >= 400 && attack.status() != 403) {
            assertThat(reply.closed()).as("%s: the connection is closed after a refusal", attack).isTrue();
        }
        followUpIsTheOnlyOtherRequest(attack.toString());
    }

    @Test
    void aClientCannotStripOrSpoofAHeaderAFilterAdds() throws Exception {
        backend.clear();
        Reply reply = RawHttp.send(port, "GET /filtered HTTP/1.1\r\nHost: a\r\nConnection: close, X-Auth-User\r\n"
                + "X-Auth-User: mallory\r\n\r\n", 2000);
        assertThat(reply.status()).isEqualTo(200);
        List<Received> seen = settle(1);
        everything.addAll(seen);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).headers("x-auth-user")).containsExactly("alice");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        backend.clear();
        StringBuilder raw = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            raw.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
        }
        raw.append("GET /admin HTTP/1.1\r\nHost: a\r\n\r\nGET /p6 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        Reply reply = RawHttp.send(port, raw.toString(), 3000);
        assertThat(reply.statuses()).containsExactly(200, 200, 200, 200, 200, 403, 200);
        int last = -1;
        for (String p : List.of("ok GET /p1", "ok GET /p2", "ok GET /p3", "ok GET /p4", "ok GET /p5", "forbidden", "ok GET /p6")) {
            int at = reply.text().indexOf(p);
            assertThat(at).as("%s after the previous answer", p).isGreaterThan(last);
            last = at;
        }
        List<Received> seen = settle(6);
        everything.addAll(seen);
        assertThat(seen).extracting(Received::path).containsExactly("/p1", "/p2", "/p3", "/p4", "/p5", "/p6");
    }

    @Test
    void webSocketUpgradeUnderWsIsSplicedWithExactlyWebsocketUpgrade() throws Exception {
        backend.clear();
        try (Socket s = connect()) {
            write(s, "GET /ws/chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket, h2c\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 101");
            write(s, "raw-frame-bytes");
            byte[] echo = s.getInputStream().readNBytes("raw-frame-bytes".length());
            assertThat(new String(echo, StandardCharsets.ISO_8859_1)).isEqualTo("raw-frame-bytes");
        }
        List<Received> seen = settle(1);
        everything.addAll(seen);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).header("upgrade")).isEqualTo("websocket");
    }

    @Test
    void refusedUpgradeLeavesNoRawTunnel() throws Exception {
        backend.clear();
        try (Socket s = connect()) {
            write(s, "GET /ws/refuse HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 403");
            s.getInputStream().readNBytes(7); // "refused"
            // were a tunnel open, this would reach the backend raw, past the /admin deny
            write(s, "GET /admin/secret HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            s.setSoTimeout(3000);
            Reply after = RawHttp.read(s.getInputStream());
            assertThat(after.status()).isEqualTo(403);
        }
        List<Received> seen = settle(1);
        everything.addAll(seen);
        assertThat(seen).extracting(Received::path).containsExactly("/ws/refuse");
    }

    @Test
    void h2cUpgradeIsNeverForwarded() throws Exception {
        backend.clear();
        String upgrade = "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n";
        // on a later request of the connection the gateway no longer offers h2c: the header is dropped
        Reply reply = RawHttp.send(port, "GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n" + upgrade
                + "Connection: close\r\n\r\n", 2000);
        assertThat(reply.statuses()).containsExactly(200, 200);
        // on the first request the gateway itself switches to h2c; the backend gets a plain HTTP/1.1 request
        Reply first = RawHttp.send(port, "GET /three HTTP/1.1\r\nHost: a\r\n" + upgrade + "\r\n", 1000);
        assertThat(first.text()).startsWith("HTTP/1.1 101");
        List<Received> seen = settle(3);
        everything.addAll(seen);
        assertThat(seen).extracting(Received::path).containsExactlyInAnyOrder("/one", "/two", "/three");
        assertThat(seen).allMatch(Received::regular).allMatch(r -> r.header("upgrade") == null);
    }

    @Test
    void responseWithTwoContentLengthsIs502AndTheConnectionIsNotReused() throws Exception {
        faultyBackend("/bad/two-cl");
    }

    @Test
    void responseWithContentLengthAndChunkedIs502() throws Exception {
        faultyBackend("/bad/cl-te");
    }

    @Test
    void resetMidHeadersIsAQuick502AndTheGatewayKeepsServing() throws Exception {
        // quick: a gateway that missed the reset would wait for the 5 s backend timeout and answer 504, not 502
        faultyBackend("/bad/reset-headers");
    }

    @Test
    void shortBodyClosesTheClientConnection() throws Exception {
        backend.clear();
        try (Socket s = connect()) {
            write(s, "GET /bad/short-body HTTP/1.1\r\nHost: a\r\n\r\n");
            s.setSoTimeout(3000);
            Reply r = RawHttp.read(s.getInputStream());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text().toLowerCase()).contains("content-length: 100");
            String body = r.text().substring(r.text().indexOf("\r\n\r\n") + 4);
            assertThat(body).as("never padded").isEqualTo("short");
            assertThat(r.closed()).as("closed, not kept for another request").isTrue();
        }
        everything.addAll(settle(1));
        followUpIsTheOnlyOtherRequest("short body");
    }

    private void faultyBackend(String path) throws Exception {
        backend.clear();
        Reply reply = RawHttp.send(port, "GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n", 2000);
        assertThat(reply.status()).as("%s: %s", path, head(reply)).isEqualTo(502);
        assertThat(reply.text()).doesNotContain("SMUG");
        List<Received> bad = settle(1);
        everything.addAll(bad);
        Received after = followUpIsTheOnlyOtherRequest(path);
        assertThat(after.connection()).as("%s: the upstream connection was not reused", path)
                .isNotEqualTo(bad.get(0).connection());
    }

    /** A clean request after the attack: it must arrive alone and regular (no stray bytes before it). */
    private static Received followUpIsTheOnlyOtherRequest(String after) throws Exception {
        int before = backend.requests().size();
        Reply reply = RawHttp.send(port, "GET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 3000);
        assertThat(reply.status()).as("follow-up after %s: %s", after, head(reply)).isEqualTo(200);
        List<Received> seen = settle(before + 1);
        everything.addAll(seen.subList(before, seen.size()));
        assertThat(seen.subList(before, seen.size())).as("follow-up after %s", after).hasSize(1)
                .allMatch(Received::regular).extracting(Received::path).containsExactly("/after");
        return seen.get(seen.size() - 1);
    }

    /** Waits for {@code n} requests, then a little longer so that anything extra would show. */
    static List<Received> settle(int n) throws InterruptedException {
        backend.await(n, 3000);
        Thread.sleep(60);
        return backend.requests();
    }

    static String head(Reply r) {
        String t = r.text();
        int end = t.indexOf("\r\n\r\n");
        return end < 0 ? t : t.substring(0, Math.min(end, 300));
    }

    static String headersOf(Received r) {
        List<String> out = new ArrayList<>();
        r.headers().forEach(h -> out.add(h[0] + ": " + h[1]));
        return out.toString();
    }

    static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    static void write(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    static int freePort() throws IOException {
        return dev.gatehouse.testing.FreePorts.tcp();
    }
}
