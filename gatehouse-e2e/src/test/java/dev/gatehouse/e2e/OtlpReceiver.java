package dev.gatehouse.e2e;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A real OTLP/HTTP trace receiver on loopback: accepts {@code POST /v1/traces} (protobuf, gzip or not),
 * decodes each body with the generated OTLP classes and keeps the spans.
 */
final class OtlpReceiver implements AutoCloseable {
    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                InputStream in = exchange.getRequestBody();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    in = new GZIPInputStream(in);
                }
                try {
                    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                    request.getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
                            .forEach(ss -> spans.addAll(ss.getSpansList())));
                } catch (Throwable t) {
                    errors.add(t);
                    exchange.sendResponseHeaders(400, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    List<Span> spans() {
        return new ArrayList<>(spans);
    }

    /** What could not be decoded (a test asserts this stays empty). */
    List<Throwable> errors() {
        return new ArrayList<>(errors);
    }

    List<String> contentTypes() {
        return new ArrayList<>(contentTypes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
