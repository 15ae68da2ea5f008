package dev.gatehouse.proxy.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/**
 * What the proxy does to a request head between the client's decoder and the upstream encoder, in the order
 * RequestPipeline and UpstreamAttempt do it: client-only headers out (sanitizeClientRequest), a request id,
 * the debug header taken, hop-by-hop removal, X-Forwarded-* and Forwarded added. The request is a browser's
 * 13-header GET. The head is mutated in place, so each call starts from a copy: {@link #copyOnly} measures that
 * copy alone, to subtract.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestHeadersBenchmark {
    private final HttpHeaders template = new DefaultHttpHeaders();
    private ForwardedClient client;

    @Setup
    public void setUp() throws UnknownHostException {
        client = new ForwardedClient(InetAddress.getByAddress(new byte[] {10, 1, 2, 3})); // one connection's
        // the 13th field: a client's X-Forwarded-For, which the proxy appends to
        BrowserHead.addTo(template).add("x-forwarded-for", "203.0.113.7");
    }

    private HttpRequest copy() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/cart/items?page=2",
                new DefaultHttpHeaders());
        request.headers().set(template);
        return request;
    }

    @Benchmark
    public HttpRequest copyOnly() {
        return copy();
    }

    @Benchmark
    public HttpRequest clientToUpstream() {
        HttpRequest request = copy();
        HttpHeaders headers = request.headers();
        HopByHopHeaders.sanitizeClientRequest(headers);
        String originalHost = headers.get(io.netty.handler.codec.http.HttpHeaderNames.HOST);
        ObservabilityHeaders.assignRequestId(headers, false);
        boolean websocket = MessageHeaders.isWebSocketUpgrade(request);
        ObservabilityHeaders.takeDebugRequest(headers);
        MessageHeaders.prepareUpstreamRequest(request, false, websocket, false, client, originalHost, "http");
        return request;
    }
}
