package dev.gatehouse.edge.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.edge.pool.NodePool;
import dev.gatehouse.edge.pool.NodeState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Answers the admin paths. Each answer is built from in-memory state (the pool's snapshot, the registry), so
 * nothing here blocks the event loop it runs on.
 */
public final class EdgeAdmin extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] DASHBOARD = resource("edge-dashboard.html");

    private final NodePool pool;
    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier listening;

    /** @param listening true once every listener is bound (and until shutdown starts) */
    public EdgeAdmin(NodePool pool, PrometheusMeterRegistry registry, BooleanSupplier listening) {
        this.pool = pool;
        this.registry = registry;
        this.listening = listening;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = new QueryStringDecoder(req.uri()).path();
        FullHttpResponse res;
        if (!HttpMethod.GET.equals(req.method()) && !HttpMethod.HEAD.equals(req.method())) {
            res = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n");
        } else {
            res = switch (path) {
                case "/ready" -> ready();
                case "/metrics" -> respond(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                        registry.scrape().getBytes(StandardCharsets.UTF_8));
                case "/nodes" -> respond(HttpResponseStatus.OK, "application/json", nodes());
                case "/", "/dashboard" -> respond(HttpResponseStatus.OK, "text/html; charset=utf-8", DASHBOARD);
                default -> text(HttpResponseStatus.NOT_FOUND, "not found: try /ready, /metrics, /nodes or /\n");
            };
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(res, keepAlive);
        if (HttpMethod.HEAD.equals(req.method())) {
            res.content().clear();
        }
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** 200 while the listeners are bound and at least one node takes connections; 503 saying why otherwise. */
    private FullHttpResponse ready() {
        if (!listening.getAsBoolean()) {
            return text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not listening\n");
        }
        if (pool.snapshot().nodes().isEmpty()) {
            return text(HttpResponseStatus.SERVICE_UNAVAILABLE, "no nodes\n");
        }
        if (!pool.anyHealthy()) {
            return text(HttpResponseStatus.SERVICE_UNAVAILABLE, "no healthy node\n");
        }
        return text(HttpResponseStatus.OK, "ready\n");
    }

    private byte[] nodes() {
        NodePool.Snapshot s = pool.snapshot();
        ObjectNode root = JSON.createObjectNode();
        ObjectNode ports = root.putObject("nodePorts");
        for (Map.Entry<Integer, Integer> e : s.nodePorts().entrySet()) {
            ports.put(String.valueOf(e.getKey()), e.getValue());
        }
        ArrayNode list = root.putArray("nodes");
        for (NodeState n : s.nodes()) {
            list.addObject()
                    .put("name", n.node().name())
                    .put("address", n.node().address())
                    .put("health", n.healthy() ? "healthy" : "unhealthy")
                    .put("why", n.why())
                    .put("since", n.since().toString())
                    .put("openConnections", n.open())
                    .put("connections", n.connections())
                    .put("connectFailures", n.connectFailures());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return respond(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse respond(HttpResponseStatus status, String type, byte[] body) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return res;
    }

    private static byte[] resource(String name) {
        try (InputStream in = EdgeAdmin.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
