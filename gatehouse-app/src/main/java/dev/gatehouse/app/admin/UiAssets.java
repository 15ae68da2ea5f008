package dev.gatehouse.app.admin;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's static files, read from {@code /ui/} in the jar once and kept: there are three small
 * files and the admin port should answer them without touching the disk again. Only listed names are
 * served, so a path can never walk out of the folder.
 */
final class UiAssets {
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");
    private static final Set<String> NAMES = TYPES.keySet();

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    /** @param name a file name under /ui/ ("" for index.html) @return the answer, or {@code null} when unknown */
    AdminResponse get(String name) throws IOException {
        String file = name.isEmpty() ? "index.html" : name;
        if (!NAMES.contains(file)) {
            return null;
        }
        byte[] body = cache.get(file);
        if (body == null) {
            try (InputStream in = UiAssets.class.getResourceAsStream("/ui/" + file)) {
                if (in == null) {
                    throw new IOException("ui/" + file + " missing from the jar");
                }
                body = in.readAllBytes();
            }
            cache.put(file, body);
        }
        // The page changes with the jar, not with the config; "no-cache" makes the browser revalidate on
        // each load (cheap on loopback) so an upgraded gateway never serves yesterday's script.
        return new AdminResponse(200, TYPES.get(file), body, Map.of("Cache-Control", "no-cache",
                "X-Content-Type-Options", "nosniff"));
    }
}
