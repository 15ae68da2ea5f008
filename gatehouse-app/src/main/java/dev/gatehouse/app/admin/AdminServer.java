package dev.gatehouse.app.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.app.control.ControlLoop;
import dev.gatehouse.app.explain.ExplainAnswer;
import dev.gatehouse.app.explain.RequestExplainer;
import dev.gatehouse.ir.SnapshotPrinter;
import dev.gatehouse.routing.explain.ExplainRequest;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.translate.Translation;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The admin API. {@code /live}, {@code /ready} (200 while some listener is served: a config is loaded and one of
 * its ports is bound; 503 with the reason otherwise), {@code /config}
 * (the running snapshot as text), and as JSON: {@code /status} ({@code ?format=text} for the text form),
 * {@code /routes}, {@code /backends}, {@code /reloads}, {@code /explain} ({@code ?format=text}); plus the
 * dashboard at {@code /ui/} and any extra endpoint from {@link AdminSettings} (e.g. {@code /metrics}).
 *
 * <p>Everything runs on the JDK HTTP server's two threads, never on the data plane's loops. Errors are JSON
 * {@code {"error": ...}} with the status code that fits; unknown paths are 404.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final List<String> OPEN_PATHS = List.of("/live", "/ready");

    private final HttpServer server;
    private final ExecutorService executor;
    private final ControlLoop control;
    private final AdminSettings settings;
    private final Map<String, AdminEndpoint> endpoints = new LinkedHashMap<>();
    private final UiAssets ui = new UiAssets();
    /** Set once the gateway starts to stop: /ready says 503 so load balancers send nothing new; /live stays 200. */
    private volatile boolean draining;

    public AdminServer(InetSocketAddress address, ControlLoop control) throws IOException {
        this(address, control, AdminSettings.defaults());
    }

    public AdminServer(InetSocketAddress address, ControlLoop control, AdminSettings settings) throws IOException {
        this.control = control;
        this.settings = settings;
        this.server = HttpServer.create(address, 16);
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "gatehouse-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        endpoints.put("/live", q -> AdminResponse.text(200, "live\n"));
        endpoints.put("/ready", q -> {
            if (draining) {
                return AdminResponse.text(503, "not ready: draining, shutting down\n");
            }
            String notReady = control.notReady();
            return notReady == null ? AdminResponse.text(200, "ready\n")
                    : AdminResponse.text(503, "not ready: " + notReady + "\n");
        });
        endpoints.put("/config", q -> withServing(t -> AdminResponse.text(200, SnapshotPrinter.print(t.snapshot()))));
        endpoints.put("/status", q -> withServing(t -> "text".equals(first(q, "format"))
                ? AdminResponse.text(200, SnapshotPrinter.print(t.statuses()))
                : AdminResponse.json(200, StatusReport.of(t))));
        endpoints.put("/routes", q -> withServing(t -> AdminResponse.json(200, RouteTableReport.of(t))));
        endpoints.put("/backends", q -> withServing(t ->
                AdminResponse.json(200, BackendReport.of(control.runtime(), settings.health()))));
        endpoints.put("/reloads", q -> {
            Map<String, Object> body = new LinkedHashMap<>();
            Translation t = control.serving();
            body.put("generation", t == null ? 0 : t.snapshot().generation());
            body.put("ready", control.ready());
            body.put("reloads", control.history());
            return AdminResponse.json(200, body);
        });
        endpoints.put("/explain", this::explain);
        endpoints.putAll(settings.extraEndpoints());
        server.createContext("/", this::dispatch);
    }

    /** The gateway is draining its connections before it stops. */
    public void draining() {
        draining = true;
    }

    private AdminResponse explain(Map<String, List<String>> query) {
        return withServing(t -> {
            ExplainRequest request = ExplainRequest.parse(first(query, "method"), first(query, "url"),
                    query.getOrDefault("header", List.of()));
            RuntimeSnapshot runtime = control.runtime();
            ExplainAnswer answer = RequestExplainer.explain(t, runtime, request);
            return "text".equals(first(query, "format")) ? AdminResponse.text(200, answer.text())
                    : AdminResponse.json(200, answer);
        });
    }

    private AdminResponse withServing(Function<Translation, AdminResponse> body) {
        Translation t = control.serving();
        return t == null ? AdminResponse.error(503, "no config served yet") : body.apply(t);
    }

    private void dispatch(HttpExchange ex) throws IOException {
        AdminResponse response;
        String path = ex.getRequestURI().getRawPath();
        try {
            response = answer(ex, path);
        } catch (IllegalArgumentException e) {
            response = AdminResponse.error(400, e.getMessage());
        } catch (Exception e) {
            log.warn("admin {} failed", path, e);
            response = AdminResponse.error(500, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        send(ex, response);
    }

    private AdminResponse answer(HttpExchange ex, String path) throws Exception {
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return AdminResponse.error(405, "method " + method + " not allowed; the admin API is read-only")
                    .withHeader("Allow", "GET, HEAD");
        }
        if (path.equals("/") || path.equals("/ui")) {
            return AdminResponse.text(302, "see /ui/\n").withHeader("Location", "/ui/");
        }
        if (path.startsWith("/ui/")) {
            // The page and its script carry no data, so they are open even with a token: the browser
            // cannot send one when it navigates, and the page asks for it before calling the API.
            AdminResponse asset = ui.get(path.substring("/ui/".length()));
            return asset != null ? asset : AdminResponse.error(404, "no such file: " + path);
        }
        AdminEndpoint endpoint = endpoints.get(path);
        if (endpoint == null) {
            return AdminResponse.error(404, "no such admin path: " + path + "; try " + String.join(", ", endpoints.keySet()));
        }
        if (settings.bearerToken() != null && !OPEN_PATHS.contains(path) && !authorized(ex)) {
            return AdminResponse.error(401, "this admin path needs 'Authorization: Bearer <token>' (--admin-token)")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\"");
        }
        Map<String, List<String>> query = new QueryStringDecoder(
                ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery(), false).parameters();
        return endpoint.handle(query);
    }

    private boolean authorized(HttpExchange ex) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        // Constant-time, so the comparison does not leak how much of a guess was right.
        return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                settings.bearerToken().getBytes(StandardCharsets.UTF_8));
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public void start() {
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void send(HttpExchange ex, AdminResponse r) throws IOException {
        try (ex) {
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.getResponseHeaders().set("Content-Type", r.contentType());
            r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            if (!r.headers().containsKey("Cache-Control")) {
                // Everything but the static files is live state: never reuse it.
                ex.getResponseHeaders().set("Cache-Control", "no-store");
            }
            ex.sendResponseHeaders(r.status(), head ? -1 : r.body().length == 0 ? -1 : r.body().length);
            if (!head && r.body().length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(r.body());
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
