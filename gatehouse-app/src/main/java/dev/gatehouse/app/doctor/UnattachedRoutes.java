package dev.gatehouse.app.doctor;

import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.ResourceStatus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the statuses for routes that target a Gateway but did not attach to it. The translator's message
 * says what failed ("no listener matches sectionName https"); we add what would have matched ("listeners
 * are: web"), which the route's own status cannot know without repeating the Gateway.
 */
public final class UnattachedRoutes {
    private final List<UnattachedRoute> all;

    public UnattachedRoutes(List<ResourceStatus> statuses) {
        Map<String, List<String>> listenerNames = new LinkedHashMap<>();
        for (ResourceStatus s : statuses) {
            if (s.kind().equals("Gateway") || s.kind().equals("ListenerSet")) {
                // keyed as gatewayOf reads a parentRef: a ListenerSet keeps its kind
                listenerNames.put((s.kind().equals("Gateway") ? "" : "ListenerSet ") + s.namespace() + "/" + s.name(),
                        s.listeners().stream().map(ResourceStatus.ListenerStatus::name).toList());
            }
        }
        List<UnattachedRoute> out = new ArrayList<>();
        for (ResourceStatus s : statuses) {
            for (ResourceStatus.ParentStatus p : s.parents()) {
                String gateway = gatewayOf(p.parentRef());
                for (Condition c : p.conditions()) {
                    if (!c.type().equals("Accepted") || c.status().equals("True")) {
                        continue;
                    }
                    String message = c.message();
                    List<String> names = listenerNames.get(gateway);
                    if (c.reason().equals("NoMatchingParent") && names != null) {
                        message += "; listeners are: " + (names.isEmpty() ? "none" : String.join(", ", names));
                    }
                    out.add(new UnattachedRoute(s.kind() + " " + s.namespace() + "/" + s.name(), gateway,
                            p.parentRef(), c.reason(), message));
                }
            }
        }
        this.all = List.copyOf(out);
    }

    public List<UnattachedRoute> all() {
        return all;
    }

    /** @param gateways "namespace/name" of Gateways */
    public List<UnattachedRoute> targeting(Collection<String> gateways) {
        return all.stream().filter(u -> gateways.contains(u.gateway())).toList();
    }

    /** "Gateway ns/name[/section][:port]" -> "ns/name"; "ListenerSet ns/name[/section][:port]" -> "ListenerSet ns/name". */
    static String gatewayOf(String parentRef) {
        String ref = parentRef.startsWith("Gateway ") ? parentRef.substring("Gateway ".length()) : parentRef;
        int colon = ref.indexOf(':');
        if (colon >= 0) {
            ref = ref.substring(0, colon);
        }
        int first = ref.indexOf('/');
        int second = first < 0 ? -1 : ref.indexOf('/', first + 1);
        return second < 0 ? ref : ref.substring(0, second);
    }
}
