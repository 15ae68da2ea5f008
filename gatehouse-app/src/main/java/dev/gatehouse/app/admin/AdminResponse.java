package dev.gatehouse.app.admin;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One admin answer, built before anything is written so an endpoint that fails half-way cannot leave a
 * half-sent 200 behind.
 *
 * @param headers extra response headers (Content-Type is {@code contentType})
 */
public record AdminResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";

    public AdminResponse {
        headers = Map.copyOf(headers);
    }

    public static AdminResponse text(int status, String body) {
        return new AdminResponse(status, TEXT, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static AdminResponse json(int status, Object value) {
        return new AdminResponse(status, JSON, AdminJson.write(value), Map.of());
    }

    /** {@code {"error": message}}, the shape of every admin error. */
    public static AdminResponse error(int status, String message) {
        return json(status, Map.of("error", message));
    }

    public AdminResponse withHeader(String name, String value) {
        Map<String, String> all = new HashMap<>(headers);
        all.put(name, value);
        return new AdminResponse(status, contentType, body, all);
    }
}
