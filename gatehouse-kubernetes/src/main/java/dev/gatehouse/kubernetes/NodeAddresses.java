package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The addresses a Gateway is reached at when the cluster has no LoadBalancer: those of the Nodes that can take
 * traffic (Ready and schedulable), where the NodePort Service listens. Nodes are watched by an informer of their
 * own, started by the first Gateway status (only the leader needs it), and a change of what a Node contributes
 * (not its heartbeats) asks for the statuses to be written again.
 */
final class NodeAddresses implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeAddresses.class);

    private final KubernetesClient client;
    private final Runnable changed;
    private volatile SharedIndexInformer<Node> informer;
    private boolean unavailable;

    NodeAddresses(KubernetesClient client, Runnable changed) {
        this.client = client;
        this.changed = changed;
    }

    /**
     * On the status writer's thread.
     *
     * @param type InternalIP or ExternalIP
     * @return the sorted addresses, or {@code null} (leave status.addresses as it is) when Nodes cannot be read
     */
    List<String> of(String type) {
        if (informer == null && !unavailable) {
            try {
                informer = client.nodes().inform(new Changes());
            } catch (KubernetesClientException e) {
                unavailable = true;
                log.warn("cannot watch Nodes for the Gateways' status.addresses ({}); give --gateway-addresses a list "
                        + "or allow list and watch on nodes", e.getMessage());
            }
        }
        if (informer == null) {
            return null;
        }
        TreeSet<String> out = new TreeSet<>();
        for (Node n : informer.getStore().list()) {
            out.addAll(addresses(n, type));
        }
        return List.copyOf(out);
    }

    /** What one Node contributes: its addresses of {@code type}, or none when it cannot take traffic. */
    private static List<String> addresses(Node n, String type) {
        boolean ready = n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        boolean cordoned = n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable());
        if (!ready || cordoned || n.getStatus().getAddresses() == null) {
            return List.of();
        }
        return n.getStatus().getAddresses().stream().filter(a -> type.equals(a.getType()))
                .map(NodeAddress::getAddress).filter(Objects::nonNull).toList();
    }

    private final class Changes implements ResourceEventHandler<Node> {
        @Override
        public void onAdd(Node node) {
            changed.run();
        }

        @Override
        public void onUpdate(Node old, Node now) {
            // a Node's status is updated every few seconds; only what it contributes matters
            if (!addresses(old, "InternalIP").equals(addresses(now, "InternalIP"))
                    || !addresses(old, "ExternalIP").equals(addresses(now, "ExternalIP"))) {
                changed.run();
            }
        }

        @Override
        public void onDelete(Node node, boolean finalStateUnknown) {
            changed.run();
        }
    }

    @Override
    public void close() {
        SharedIndexInformer<Node> i = informer;
        if (i != null) {
            i.close();
        }
    }
}
