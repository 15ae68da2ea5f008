package dev.gatehouse.app.admin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the admin endpoint is set up beyond its address.
 *
 * @param bearerToken when non-null, every path but {@code /live}, {@code /ready} and the dashboard's static
 *                    files needs {@code Authorization: Bearer <token>}
 * @param health where {@code /backends} reads endpoint health
 * @param extraEndpoints more paths (e.g. {@code /metrics}), by exact path
 */
public record AdminSettings(String bearerToken, EndpointHealthView health, Map<String, AdminEndpoint> extraEndpoints) {
    public AdminSettings {
        bearerToken = bearerToken == null || bearerToken.isBlank() ? null : bearerToken.trim();
        extraEndpoints = Map.copyOf(extraEndpoints);
    }

    public static AdminSettings defaults() {
        return new AdminSettings(null, UnprobedEndpointHealth.INSTANCE, Map.of());
    }

    public AdminSettings withToken(String token) {
        return new AdminSettings(token, health, extraEndpoints);
    }

    public AdminSettings withHealth(EndpointHealthView view) {
        return new AdminSettings(bearerToken, view, extraEndpoints);
    }

    public AdminSettings withEndpoint(String path, AdminEndpoint endpoint) {
        Map<String, AdminEndpoint> all = new LinkedHashMap<>(extraEndpoints);
        all.put(path, endpoint);
        return new AdminSettings(bearerToken, health, all);
    }
}
