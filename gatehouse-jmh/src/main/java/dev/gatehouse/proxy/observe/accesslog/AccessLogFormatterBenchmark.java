package dev.gatehouse.proxy.observe.accesslog;

import dev.gatehouse.jmh.MultiTenantConfig;
import dev.gatehouse.proxy.observe.RequestLog;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.route.Route;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One access-log line, every field on, formatted into the event loop's buffer as AccessLog.Lines does it; the
 * route and backend come from a real compiled config so their cached names are what a proxy formats.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessLogFormatterBenchmark {
    private final AccessLogFormatter formatter = new AccessLogFormatter(AccessLogField.parse("all"));
    private final JsonLineBuffer buffer = new JsonLineBuffer(4096);
    private RequestLog entry;

    @Setup
    public void setUp() {
        String host = MultiTenantConfig.requestHost(1);
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/orders/42");
        Route route = MultiTenantConfig.router(10).route(new HttpExchange(request, "http", MultiTenantConfig.PORT,
                new InetSocketAddress("127.0.0.1", 40000), host, "/api/orders/42", null));
        entry = new RequestLog(1_000_000L, 1_700_000_000_123L, "GET", "/api/orders/42?page=2", "HTTP/1.1",
                new InetSocketAddress("203.0.113.7", 51234), MultiTenantConfig.PORT);
        entry.host(host);
        entry.requestId("9f86d081884c7d659a2feaa0c55ad015");
        entry.route(route);
        entry.backend(route.pickBackend());
        entry.endpoint(new InetSocketAddress("127.0.0.1", 3001));
        entry.status(200);
        entry.addRequestBytes(0);
        entry.addResponseBytes(1432);
        entry.upstreamStart(1_250_000L);
        entry.upstreamEnd(2_750_000L);
        entry.complete(3_000_000L);
    }

    @Benchmark
    public void formatLine(Blackhole bh) {
        buffer.clear();
        formatter.format(entry, buffer);
        bh.consume(buffer.size());
    }
}
