package dev.gatehouse.app.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.app.control.ControlLoop;
import dev.gatehouse.ir.SnapshotPrinter;
import dev.gatehouse.translate.Translation;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /ready} (200 once the first config serves, 503 before), {@code /live}, {@code /config} (the
 * running snapshot), {@code /status} (every resource's conditions) and {@code /reloads}.
 */
public final class AdminServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    public AdminServer(InetSocketAddress address, ControlLoop control) throws IOException {
        this.server = HttpServer.create(address, 16);
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "gatehouse-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/ready", ex -> {
            if (control.ready()) {
                send(ex, 200, "ready\n");
            } else {
                send(ex, 503, "not ready: no config served yet\n");
            }
        });
        server.createContext("/live", ex -> send(ex, 200, "live\n"));
        server.createContext("/config", ex -> {
            Translation t = control.serving();
            send(ex, t == null ? 503 : 200, t == null ? "no config served yet\n" : SnapshotPrinter.print(t.snapshot()));
        });
        server.createContext("/status", ex -> {
            Translation t = control.serving();
            send(ex, t == null ? 503 : 200, t == null ? "no config served yet\n" : SnapshotPrinter.print(t.statuses()));
        });
        server.createContext("/reloads", ex -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("reloads", control.history());
            send(ex, 200, SnapshotPrinter.print(body));
        });
    }

    public void start() {
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                status = 405;
                body = "method not allowed\n";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(status, "HEAD".equals(ex.getRequestMethod()) ? -1 : bytes.length);
            if (!"HEAD".equals(ex.getRequestMethod())) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
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
