package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.TreeSet;

/**
 * The addresses a Gateway is reached at when the cluster has no LoadBalancer: those of the Nodes that can take
 * traffic (Ready and schedulable), where the NodePort Service listens. Read on the status writer's thread.
 */
final class NodeAddresses {
    private static final Logger log = LoggerFactory.getLogger(NodeAddresses.class);

    private final KubernetesClient client;
    private boolean warned;

    NodeAddresses(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @param type InternalIP or ExternalIP
     * @return the sorted addresses, or {@code null} (leave status.addresses as it is) when Nodes cannot be read
     */
    List<String> of(String type) {
        List<Node> nodes;
        try {
            nodes = client.nodes().list().getItems();
        } catch (KubernetesClientException e) {
            if (!warned) {
                warned = true;
                log.warn("cannot list Nodes for the Gateways' status.addresses ({}); give --gateway-addresses a list "
                        + "or allow listing nodes", e.getMessage());
            }
            return null;
        }
        TreeSet<String> out = new TreeSet<>();
        for (Node n : nodes) {
            if (!ready(n) || n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable())) {
                continue;
            }
            for (NodeAddress a : n.getStatus().getAddresses() == null ? List.<NodeAddress>of()
                    : n.getStatus().getAddresses()) {
                if (type.equals(a.getType()) && a.getAddress() != null) {
                    out.add(a.getAddress());
                }
            }
        }
        return List.copyOf(out);
    }

    private static boolean ready(Node n) {
        return n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
