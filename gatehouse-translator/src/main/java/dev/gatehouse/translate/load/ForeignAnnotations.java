package dev.gatehouse.translate.load;

import java.util.List;
import java.util.Map;

/**
 * Annotations that configure other gateways and ingress controllers. gatehouse reads no annotation, but these
 * are the ones people bring along when they move (a {@code konghq.com/plugins} that silently does nothing is a
 * plugin they think is running), so each resource carrying some gets a warning naming them.
 */
public final class ForeignAnnotations {
    /** annotation domain (or a parent domain of it) -> whose it is */
    private static final Map<String, String> OWNERS = Map.of(
            "konghq.com", "Kong",
            "nginx.ingress.kubernetes.io", "ingress-nginx",
            "nginx.org", "NGINX",
            "traefik.ingress.kubernetes.io", "Traefik",
            "haproxy.org", "HAProxy");

    private ForeignAnnotations() {
    }

    /** @return whose annotation {@code key} is, or {@code null} when it is none of the known ones */
    public static String ownerOf(String key) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String domain = key.substring(0, slash);
        for (Map.Entry<String, String> e : OWNERS.entrySet()) {
            if (domain.equals(e.getKey()) || domain.endsWith("." + e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    /** "Kong's annotations konghq.com/plugins, konghq.com/strip-path" for the keys that are foreign, or null. */
    public static String describe(List<String> keys) {
        List<String> foreign = keys.stream().filter(k -> ownerOf(k) != null).sorted().toList();
        if (foreign.isEmpty()) {
            return null;
        }
        List<String> owners = foreign.stream().map(ForeignAnnotations::ownerOf).distinct().toList();
        return String.join("/", owners) + (foreign.size() == 1 ? " annotation " : " annotations ")
                + String.join(", ", foreign);
    }
}
