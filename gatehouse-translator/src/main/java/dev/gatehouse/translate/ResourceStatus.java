package dev.gatehouse.translate;

import java.util.List;

/**
 * The computed status of one resource.
 *
 * @param kind GatewayClass, Gateway, HTTPRoute, ...
 * @param conditions resource-level conditions (GatewayClass, Gateway)
 * @param listeners per-listener status (Gateway and ListenerSet)
 * @param parents per-parentRef status (routes only)
 * @param attachedListenerSets a Gateway's status.attachedListenerSets; {@code null} (not reported) for other kinds
 *                             and for Gateways that neither allow ListenerSets nor are named by one
 */
public record ResourceStatus(String kind, String namespace, String name, List<Condition> conditions,
                             List<ListenerStatus> listeners, List<ParentStatus> parents, Integer attachedListenerSets) {
    public ResourceStatus {
        conditions = List.copyOf(conditions);
        listeners = List.copyOf(listeners);
        parents = List.copyOf(parents);
    }

    public ResourceStatus(String kind, String namespace, String name, List<Condition> conditions,
                          List<ListenerStatus> listeners, List<ParentStatus> parents) {
        this(kind, namespace, name, conditions, listeners, parents, null);
    }

    /** "Kind namespace/name", or "Kind name" for a cluster-scoped kind (GatewayClass). */
    public String resource() {
        return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }

    /** @param supportedKinds route kinds the listener accepts */
    public record ListenerStatus(String name, int attachedRoutes, List<String> supportedKinds, List<Condition> conditions) {
        public ListenerStatus {
            supportedKinds = List.copyOf(supportedKinds);
            conditions = List.copyOf(conditions);
        }
    }

    /** @param parentRef the parentRef as written: "Gateway|ListenerSet ns/name[/sectionName][:port]" */
    public record ParentStatus(String parentRef, String controllerName, List<Condition> conditions) {
        public ParentStatus {
            conditions = List.copyOf(conditions);
        }

        /**
         * The {@link #parentRef} of a Gateway parentRef, so that a status writer finds the ref it belongs to.
         *
         * @param namespace the ref's namespace, defaulted to the route's
         */
        public static String gatewayRef(String namespace, String name, String sectionName, Integer port) {
            return parentRef("Gateway", namespace, name, sectionName, port);
        }

        /** The {@link #parentRef} of a parentRef of any kind (Gateway, ListenerSet). */
        public static String parentRef(String kind, String namespace, String name, String sectionName, Integer port) {
            StringBuilder b = new StringBuilder(kind).append(' ').append(namespace).append('/').append(name);
            if (sectionName != null) {
                b.append('/').append(sectionName);
            }
            if (port != null) {
                b.append(':').append(port);
            }
            return b.toString();
        }
    }
}
