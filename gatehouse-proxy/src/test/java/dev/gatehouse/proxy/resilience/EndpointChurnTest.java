package dev.gatehouse.proxy.resilience;

import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.proxy.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13 item 7 through a real gateway and real backends: a reload that removes an endpoint closes the pooled
 * connections to it (idle ones at once, busy ones when their request ends) while its requests in flight finish, and
 * reloads in the middle of a bounded load loop cost no request.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EndpointChurnTest {
    /** Pooled connections would otherwise live a minute: what closes them here is the reload. */
    private static final ServerOptions LONG_IDLE = ServerOptions.defaults().withIoThreads(2)
            .withUpstreamIdleTimeout(Duration.ofSeconds(60));

    @Test
    void aRemovedEndpointsPooledConnectionsCloseAndItsRequestInFlightFinishes() throws Exception {
        try (ScriptedBackend a = new ScriptedBackend("a"); ScriptedBackend b = new ScriptedBackend("b");
             ResilienceGateway gw = new ResilienceGateway(LONG_IDLE)) {
            gw.serve(null, null, TimeoutSpec.NONE, a.address(), b.address());
            for (int i = 0; i < 6; i++) {
                assertThat(gw.get("/warm").statusCode()).isEqualTo(200);
            }
            assertThat(b.connections.get()).isPositive();
            // one slow request on each endpoint, in flight across the reload
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                slow.add(pool.submit(() -> gw.get("/slow?wait=1500")));
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (b.active.get() + a.active.get() < 2 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            gw.serve(null, null, TimeoutSpec.NONE, a.address());
            for (Future<HttpResponse<String>> f : slow) {
                assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).as("in flight across the reload").isEqualTo(200);
            }
            pool.shutdownNow();
            until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (b.closedByPeer.get() < b.connections.get() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(b.closedByPeer.get()).as("every connection to the removed endpoint was closed by the gateway")
                    .isEqualTo(b.connections.get());
            assertThat(a.closedByPeer.get()).as("the remaining endpoint keeps its pooled connections").isZero();
            gw.assertBreakerSettles();
        }
    }

    @Test
    void reloadsInTheMiddleOfLoadDropNoRequest() throws Exception {
        try (ScriptedBackend a = new ScriptedBackend("a"); ScriptedBackend b = new ScriptedBackend("b");
             ScriptedBackend c = new ScriptedBackend("c"); ResilienceGateway gw = new ResilienceGateway(LONG_IDLE)) {
            List<InetSocketAddress[]> configs = List.of(
                    new InetSocketAddress[]{a.address(), b.address()},
                    new InetSocketAddress[]{a.address()},
                    new InetSocketAddress[]{a.address(), c.address()},
                    new InetSocketAddress[]{c.address()},
                    new InetSocketAddress[]{b.address(), c.address()});
            gw.serve(null, null, TimeoutSpec.NONE, configs.get(0));
            int clients = 4;
            int perClient = 150;
            AtomicInteger done = new AtomicInteger();
            Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> loops = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int client = i;
                loops.add(pool.submit(() -> {
                    for (int n = 0; n < perClient && System.nanoTime() < deadline; n++) {
                        // every tenth request is slow, so reloads always find requests in flight
                        String path = "/load?wait=" + (n % 10 == client ? 300 : 5);
                        try {
                            HttpResponse<String> r = gw.get(path);
                            outcomes.computeIfAbsent(r.statusCode() + " " + (r.statusCode() == 200 ? "" : r.body()),
                                    k -> new AtomicInteger()).incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            int total = clients * perClient;
            for (int step = 1; step < configs.size(); step++) {
                int at = total * step / configs.size();
                while (done.get() < at && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                gw.serve(null, null, TimeoutSpec.NONE, configs.get(step));
            }
            for (Future<?> f : loops) {
                f.get(100, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
            assertThat(failures).as("client-side failures").isEmpty();
            assertThat(new TreeMap<>(Map.copyOf(outcomes))).as("answers").containsOnlyKeys("200 ");
            assertThat(outcomes.get("200 ").get()).isEqualTo(total);
            assertThat(c.hits.size()).as("the new endpoints took traffic").isPositive();
            gw.assertBreakerSettles();
        }
    }
}
