package dev.gatehouse.jmh;

import dev.gatehouse.proxy.observe.RequestLog;
import dev.gatehouse.proxy.observe.metrics.GatewayMetrics;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.route.Route;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
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
 * What a completed request costs the metrics ({@code GatewayMetrics.onComplete}: the route's requests counter,
 * three latency histograms, byte counters) on a config of 10 or 10,000 HTTPRoutes, requests spread over up to
 * 1,024 routes as in a multi-tenant cluster, with {@link CacheSweep} between requests ({@code sweep}) or without.
 * The per-route cost of target 7: flat means the 10,000-route figure is the 10-route one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestMetersBenchmark {
    private static final int SPREAD = 1024; // a power of two: the index wraps with a mask

    @Param({"10", "10000"})
    public int routes;

    @Param({"false", "true"})
    public boolean sweep;

    private GatewayMetrics metrics;
    private final RequestLog[] logs = new RequestLog[SPREAD];
    private CacheSweep caches;
    private int next;

    @Setup
    public void setUp() {
        RuntimeSnapshot snapshot = MultiTenantConfig.snapshot(routes);
        HttpPortRouter router = snapshot.httpRouter(MultiTenantConfig.PORT);
        metrics = new GatewayMetrics();
        metrics.bind(snapshot);
        caches = new CacheSweep();
        int tenants = MultiTenantConfig.tenants(routes);
        String[] paths = {"/api/orders/42", "/healthz", "/static/app.js"};
        for (int i = 0; i < SPREAD; i++) {
            String host = MultiTenantConfig.requestHost((int) ((long) i * 7919 % tenants));
            String path = paths[i % paths.length];
            DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            request.headers().set("host", host);
            Route route = router.route(new HttpExchange(request, "http", MultiTenantConfig.PORT,
                    new InetSocketAddress("127.0.0.1", 40000), host, path, null));
            if (route == null) {
                throw new IllegalStateException("benchmark request matches no route: " + host + path);
            }
            RequestLog log = new RequestLog(1_000_000L, 0L, "GET", path, "HTTP/1.1",
                    new InetSocketAddress("127.0.0.1", 40000), MultiTenantConfig.PORT);
            log.route(route);
            log.backend(route.pickBackend());
            log.upstreamStart(1_100_000L + i);
            log.upstreamEnd(1_300_000L + 7L * i);
            log.status(200);
            log.addResponseBytes(100);
            log.complete(1_400_000L + 11L * i);
            logs[i] = log;
            metrics.onComplete(log); // every route's series registered before measuring, as in the gateway
        }
    }

    @Benchmark
    public int onComplete() {
        int s = sweep ? caches.sweep() : 0;
        metrics.onComplete(logs[next++ & (SPREAD - 1)]);
        return s;
    }

    /** The sweep alone, to subtract from {@code onComplete} with {@code sweep=true}. */
    @Benchmark
    public int sweepOnly() {
        return caches.sweep();
    }
}
