package dev.gatehouse.proxy.server;

import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.proxy.testing.RawHttp;
import dev.gatehouse.proxy.testing.RecordingBackend;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import dev.gatehouse.proxy.upstream.UpstreamPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend that closes a reused keep-alive connection when the next request arrives, before any response
 * byte: an idempotent request is replayed once on a fresh connection; a POST or PATCH, which the backend may
 * have acted on, is answered 502 and reached the backend once. Pooled connections are closed after the
 * configured idle time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamReplayTest {
    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
    void idempotentRequestIsReplayedOnAFreshConnection(String method) throws Exception {
        try (RecordingBackend backend = new RecordingBackend(); Gateway gw = new Gateway(backend, null)) {
            assertThat(gw.send("GET", "/warm").status()).isEqualTo(200);
            RawHttp.Reply reply = gw.send(method, "/bad/close-when-reused/" + method);
            assertThat(reply.status()).isEqualTo(200);
            List<RecordingBackend.Received> seen = backend.requests().stream()
                    .filter(r -> r.path().startsWith("/bad/close-when-reused")).toList();
            assertThat(seen).as("sent on the reused connection, then replayed on a new one").hasSize(2);
            assertThat(seen.get(0).connection()).isNotEqualTo(seen.get(1).connection());
            assertThat(seen).allMatch(r -> r.method().equals(method));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH"})
    void nonIdempotentRequestIsNotReplayed(String method) throws Exception {
        try (RecordingBackend backend = new RecordingBackend(); Gateway gw = new Gateway(backend, null)) {
            assertThat(gw.send("GET", "/warm").status()).isEqualTo(200);
            RawHttp.Reply reply = gw.send(method, "/bad/close-when-reused/" + method);
            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.text()).contains(method + " not replayed, it is not idempotent");
            Thread.sleep(300); // a replay, if any, would arrive by now
            assertThat(backend.requests().stream().filter(r -> r.path().startsWith("/bad/close-when-reused")))
                    .as("the backend saw the %s once", method).hasSize(1);
            // a fresh connection is not a replay: the same request is sent (and answered) normally
            assertThat(gw.send(method, "/fresh").status()).isEqualTo(200);
        }
    }

    @Test
    void pooledConnectionsAreClosedAfterTheUpstreamIdleTimeout() throws Exception {
        assertThat(ServerOptions.defaults().upstreamIdleTimeout()).isEqualTo(UpstreamPools.POOL_IDLE_TIMEOUT)
                .isLessThan(Duration.ofSeconds(5));
        try (RecordingBackend backend = new RecordingBackend();
             Gateway gw = new Gateway(backend, Duration.ofMillis(200))) {
            assertThat(gw.send("GET", "/one").status()).isEqualTo(200);
            assertThat(gw.send("GET", "/two").status()).isEqualTo(200);
            assertThat(backend.connections()).as("reused while fresh").isEqualTo(1);
            Thread.sleep(1000);
            assertThat(gw.send("GET", "/three").status()).isEqualTo(200);
            assertThat(backend.connections()).as("the idle connection was closed by the gateway").isEqualTo(2);
            assertThat(backend.requests()).allMatch(r -> r.indexOnConnection() <= 2);
        }
    }

    /** One event loop, so every request uses the same pool. */
    private static final class Gateway implements AutoCloseable {
        final GatewayServer server;
        final int port;

        Gateway(RecordingBackend backend, Duration upstreamIdle) throws Exception {
            port = ProxyIntegrationTest.freePort();
            ServerOptions options = ServerOptions.defaults().withBindAddress("127.0.0.1").withIoThreads(1);
            if (upstreamIdle != null) {
                options = options.withUpstreamIdleTimeout(upstreamIdle);
            }
            server = new GatewayServer(options);
            TestCluster cluster = new TestCluster("default/b:80", List.of(backend.address()));
            server.apply(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port,
                    new TestRouter().pathPrefix("/", TestRoute.to(cluster)))));
        }

        RawHttp.Reply send(String method, String path) throws Exception {
            String body = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS") ? ""
                    : "Content-Length: 0\r\n";
            return RawHttp.send(port, method + " " + path + " HTTP/1.1\r\nHost: a\r\n" + body
                    + "Connection: close\r\n\r\n", 5000);
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
