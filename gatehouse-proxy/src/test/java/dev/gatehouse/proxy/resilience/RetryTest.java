package dev.gatehouse.proxy.resilience;

import dev.gatehouse.ir.RetrySpec;
import dev.gatehouse.ir.TimeoutSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retries through a real gateway to two real backends on loopback that fail on demand: what is retried (by status,
 * reset, connect failure, per-try timeout), where (the other endpoint), what is never retried (a sent POST, a body
 * beyond the replay buffer, a status the spec does not name), and that a retried answer never reaches the client.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RetryTest {
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<ScriptedBackend.Hit> hits = new ConcurrentLinkedQueue<>();
    private ScriptedBackend a;
    private ScriptedBackend b;
    private ResilienceGateway gw;

    @BeforeEach
    void start() throws Exception {
        a = new ScriptedBackend("a", failures, hits);
        b = new ScriptedBackend("b", failures, hits);
        gw = new ResilienceGateway(1);
    }

    @AfterEach
    void stop() throws Exception {
        gw.assertBreakerSettles();
        gw.close();
        a.close();
        b.close();
    }

    private List<ScriptedBackend.Hit> hits(String path) {
        return hits.stream().filter(h -> h.path().equals(path)).toList();
    }

    @Test
    void aRetriedAnswerIsDrainedAndTheRetryGoesToTheOtherEndpoint() throws Exception {
        gw.serve(ResilienceGateway.retry(2, List.of(503)), null, TimeoutSpec.NONE, a.address(), b.address());
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = gw.get("/once" + i + "?id=once" + i + "&fail=1&how=503");
            assertThat(r.statusCode()).isEqualTo(200);
            List<ScriptedBackend.Hit> seen = hits("/once" + i);
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0).backend()).as("never the same endpoint twice when another is there")
                    .isNotEqualTo(seen.get(1).backend());
        }
        // the drained 503s left their connections reusable: 6 retries did not cost 6 new connections
        assertThat(a.connections.get() + b.connections.get()).isLessThanOrEqualTo(4);
        assertThat(gw.logs(l -> l.path().startsWith("/once"), 6)).hasSize(6)
                .allSatisfy(l -> {
                    assertThat(l.retries()).isEqualTo(1);
                    assertThat(l.failure()).as("a retried success is no failure").isNull();
                });
        assertThat(gw.metrics.scrape())
                .contains("gatehouse_upstream_retries_total{cluster=\"default/b:80\",outcome=\"retried\"} 6.0")
                .contains("gatehouse_upstream_retries_total{cluster=\"default/b:80\",outcome=\"success\"} 6.0");
    }

    @Test
    void exhaustedRetriesRelayTheLastAnswerAndOtherStatusesAreNotRetried() throws Exception {
        gw.serve(ResilienceGateway.retry(2, List.of(503)), null, TimeoutSpec.NONE, a.address(), b.address());
        HttpResponse<String> r = gw.get("/always?id=always&fail=99&how=503");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).startsWith("fail ");
        assertThat(hits("/always")).as("the first attempt and 2 retries").hasSize(3);
        assertThat(gw.get("/other?id=other&fail=1&how=500").statusCode()).isEqualTo(500);
        assertThat(hits("/other")).hasSize(1);
        assertThat(gw.metrics.scrape())
                .contains("gatehouse_upstream_retries_total{cluster=\"default/b:80\",outcome=\"exhausted\"} 1.0");
    }

    @Test
    void resetsAreRetriedByDefaultAndAnswered503OnceRetriesRunOut() throws Exception {
        gw.serve(ResilienceGateway.retry(3, List.of()), null, TimeoutSpec.NONE, a.address(), b.address());
        assertThat(gw.get("/reset?id=reset&fail=2&how=reset").statusCode()).isEqualTo(200);
        assertThat(hits("/reset")).hasSize(3);
        HttpResponse<String> r = gw.get("/resets?id=resets&fail=9&how=reset");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("after 3 retries");
        assertThat(hits("/resets")).hasSize(4);
    }

    @Test
    void aConnectFailureGoesToTheLiveEndpointEvenForAPost() throws Exception {
        InetSocketAddress dead = new InetSocketAddress(a.address().getAddress(), ResilienceGateway.freePort());
        gw.serve(ResilienceGateway.retry(1, List.of()), null, TimeoutSpec.NONE, dead, a.address());
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = gw.send("POST", "/post" + i, "payload".getBytes());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(hits("/post" + i)).singleElement().satisfies(h -> assertThat(h.body()).isEqualTo("payload"));
        }
    }

    @Test
    void aBodyBeyondTheBufferStillGoesWholeToTheEndpointTriedAfterAConnectFailure() throws Exception {
        InetSocketAddress dead = new InetSocketAddress(a.address().getAddress(), ResilienceGateway.freePort());
        gw.serve(ResilienceGateway.retry(1, List.of()), null, TimeoutSpec.NONE, dead, a.address());
        byte[] big = new byte[ReplayBuffer.MAX_BYTES * 2];
        Arrays.fill(big, (byte) 'b');
        for (int i = 0; i < 4; i++) {
            assertThat(gw.send("PUT", "/bigput" + i, big).statusCode()).isEqualTo(200);
            assertThat(hits("/bigput" + i)).singleElement().satisfies(h -> assertThat(h.body()).hasSize(big.length));
        }
    }

    @Test
    void aSentPostIsNotRetriedButABodyWithinTheBufferIsReplayedWhole() throws Exception {
        gw.serve(ResilienceGateway.retry(2, List.of(503)), null, TimeoutSpec.NONE, a.address(), b.address());
        assertThat(gw.send("POST", "/post?id=post&fail=1", "x".getBytes()).statusCode()).isEqualTo(503);
        assertThat(hits("/post")).hasSize(1);

        byte[] body = new byte[10_000];
        Arrays.fill(body, (byte) 'p');
        assertThat(gw.send("PUT", "/put?id=put&fail=1", body).statusCode()).isEqualTo(200);
        assertThat(hits("/put")).hasSize(2).allSatisfy(h -> assertThat(h.body()).hasSize(10_000).isEqualTo(new String(body)));

        byte[] big = new byte[ReplayBuffer.MAX_BYTES + 1];
        assertThat(gw.send("PUT", "/big?id=big&fail=1", big).statusCode()).as("beyond the retry buffer").isEqualTo(503);
        assertThat(hits("/big")).hasSize(1);
        assertThat(gw.metrics.scrape())
                .contains("gatehouse_upstream_retries_total{cluster=\"default/b:80\",outcome=\"not-replayable\"} 2.0");
    }

    @Test
    void aPerTryTimeoutIsRetriedAndTheRequestTimeoutBoundsAllTries() throws Exception {
        RetrySpec perTry = new RetrySpec(2, Set.of(), List.of(500), Duration.ofMillis(300), Duration.ofMillis(5), null,
                "BackendTrafficPolicy default/p");
        gw.serve(perTry, null, TimeoutSpec.NONE, a.address(), b.address());
        assertThat(gw.get("/slow?id=slow&fail=1&delay=3000&how=500").statusCode()).isEqualTo(200);
        assertThat(hits("/slow")).hasSize(2);

        // as Gateway API's HTTPRouteRetryWithTimeouts: 500s after 100 ms each, retried until the 400 ms are spent
        gw.serve(ResilienceGateway.retry(5, List.of(500)), null,
                new TimeoutSpec(Duration.ofMillis(400), Duration.ofMillis(200)), a.address(), b.address());
        assertThat(gw.get("/spent?id=spent&fail=9&delay=100&how=500").statusCode()).isEqualTo(504);
        assertThat(hits("/spent").size()).isBetween(2, 5);
    }
}
