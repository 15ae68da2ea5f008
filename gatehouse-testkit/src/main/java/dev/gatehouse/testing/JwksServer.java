package dev.gatehouse.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An identity provider's JWKS endpoint on loopback (a free port): answers {@code GET /jwks} with the JSON the test
 * sets, which it may change while the gateway runs (a key rotation), and counts the fetches.
 */
public final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicReference<String> jwks;
    private final AtomicInteger fetches = new AtomicInteger();

    public JwksServer(String jwks) throws IOException {
        this.jwks = new AtomicReference<>(jwks);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks", x -> {
            fetches.incrementAndGet();
            byte[] body = this.jwks.get().getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("content-type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
    }

    /** The endpoint's URI, http://127.0.0.1:port/jwks. */
    public String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    /** What the next fetch gets. */
    public void serve(String newJwks) {
        jwks.set(newJwks);
    }

    public int fetches() {
        return fetches.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
