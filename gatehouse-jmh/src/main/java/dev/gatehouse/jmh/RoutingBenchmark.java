package dev.gatehouse.jmh;

import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.route.Route;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One route lookup (listener by host, virtual host, rules) on a port of 10 or 10,000 HTTPRoutes: the cost that
 * must stay flat as the config grows (issue 16, target 7). Requests cycle over tenants spread through the
 * config, so the large table is not measured hot in cache for a single host only; with {@code sweep}, a
 * {@link CacheSweep} between requests leaves in cache only what the gateway's other work would (subtract
 * {@code RequestMetersBenchmark.sweepOnly}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RoutingBenchmark {
    private static final int SPREAD = 1024; // a power of two: the index wraps with a mask

    @Param({"10", "10000"})
    public int routes;

    @Param({"false", "true"})
    public boolean sweep;

    private CacheSweep caches;

    private HttpPortRouter router;
    private final HttpExchange[] hits = new HttpExchange[SPREAD];
    private final HttpExchange[] misses = new HttpExchange[SPREAD];
    private int next;

    @Setup
    public void setUp() {
        router = MultiTenantConfig.router(routes);
        caches = new CacheSweep();
        int tenants = MultiTenantConfig.tenants(routes);
        for (int i = 0; i < SPREAD; i++) {
            String host = MultiTenantConfig.requestHost((int) ((long) i * 7919 % tenants));
            // hits: the header-matched rule, the plain prefix behind it, the exact path, the static prefix
            hits[i] = switch (i % 4) {
                case 0 -> exchange(host, "/api/orders/42", "x-canary", "true");
                case 1 -> exchange(host, "/api/orders/42", "x-canary", "false");
                case 2 -> exchange(host, "/healthz", "x-trace", "1");
                default -> exchange(host, "/static/app.js", "x-trace", "1");
            };
            // misses: a known host with no matching path, and a host no route names
            misses[i] = i % 2 == 0 ? exchange(host, "/admin/login", "x-canary", "true")
                    : exchange("unknown" + i + ".example.org", "/api/orders/42", "x-canary", "true");
            if (router.route(hits[i]) == null || router.route(misses[i]) != null) {
                throw new IllegalStateException("benchmark requests do not hit and miss as intended: " + i);
            }
        }
    }

    private static HttpExchange exchange(String host, String path, String header, String value) {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        request.headers().set("host", host).set("user-agent", "jmh").set("accept", "*/*").set(header, value);
        return new HttpExchange(request, "http", MultiTenantConfig.PORT, new InetSocketAddress("127.0.0.1", 40000),
                host, path, null);
    }

    @Benchmark
    public Route hit() {
        if (sweep) {
            caches.sweep();
        }
        return router.route(hits[next++ & (SPREAD - 1)]);
    }

    @Benchmark
    public Route miss() {
        if (sweep) {
            caches.sweep();
        }
        return router.route(misses[next++ & (SPREAD - 1)]);
    }
}
