package dev.gatehouse.edge.discovery;

import dev.gatehouse.edge.pool.EdgeNode;
import dev.gatehouse.edge.pool.NodeSet;
import dev.gatehouse.edge.pool.NodeSource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code --kubeconfig} and {@code --service NS/NAME}: the nodes are the cluster's Ready, schedulable Nodes (at their
 * InternalIP or ExternalIP), the ports the Service's NodePorts by Service port number (80 -> 30080). Two fabric8
 * informers follow them (every Node, the one Service); after any event the whole set is computed again from their
 * caches and handed on if it differs from the last one, so a Node's heartbeat is no change, and a node that goes
 * NotReady or is cordoned leaves while one that joins enters, with no restart.
 */
public final class KubernetesNodeSource implements NodeSource {
    private static final Logger log = LoggerFactory.getLogger(KubernetesNodeSource.class);

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final String namespace;
    private final String name;
    private final String addressType;

    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<Service> services;
    private Consumer<NodeSet> onChange;
    private NodeSet last;
    private boolean serviceMissing;

    /**
     * @param service  {@code NAMESPACE/NAME} of the in-cluster gatehouse's NodePort Service
     * @param external connect to the Nodes' ExternalIP addresses, else their InternalIP ones
     * @throws IllegalArgumentException naming the flag when {@code service} is not NAMESPACE/NAME
     */
    public KubernetesNodeSource(KubernetesClient client, String service, boolean external) {
        this(client, false, service, external);
    }

    private KubernetesNodeSource(KubernetesClient client, boolean ownsClient, String service, boolean external) {
        int slash = service == null ? -1 : service.indexOf('/');
        if (slash <= 0 || slash == service.length() - 1 || service.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("--service must be NAMESPACE/NAME (e.g. gatehouse-system/gatehouse), got '"
                    + service + "'");
        }
        this.client = client;
        this.ownsClient = ownsClient;
        this.namespace = service.substring(0, slash);
        this.name = service.substring(slash + 1);
        this.addressType = external ? "ExternalIP" : "InternalIP";
    }

    /** A source with a client of its own, read from {@code kubeconfig} (its current context), closed with it. */
    public static KubernetesNodeSource fromKubeconfig(Path kubeconfig, String service, boolean external)
            throws IOException {
        String text;
        try {
            text = Files.readString(kubeconfig);
        } catch (IOException e) {
            throw new IOException(kubeconfig + " cannot be read (" + e + ")", e);
        }
        KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(text)).build();
        try {
            return new KubernetesNodeSource(client, true, service, external);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Lists both kinds (returns once the informers have synced) and hands on the first set. */
    @Override
    public void start(Consumer<NodeSet> onChange) {
        this.onChange = Objects.requireNonNull(onChange);
        nodes = client.nodes().inform(new Changed<>());
        services = client.services().inNamespace(namespace).withName(name).inform(new Changed<>());
        synchronized (this) {
            publish();
        }
    }

    /** After any event (on an informer's thread): compute, compare, hand on. */
    private synchronized void changed() {
        if (services != null) {
            publish();
        }
    }

    private void publish() {
        NodeSet now = new NodeSet(readyNodes(), nodePorts());
        if (!now.equals(last)) {
            log.info("nodes from the API: {} ({}), NodePorts {}", now.nodes().size(),
                    String.join(", ", now.nodes().stream().map(n -> n.name() + "=" + n.address()).toList()),
                    now.nodePorts());
            last = now;
            onChange.accept(now);
        }
    }

    private List<EdgeNode> readyNodes() {
        List<EdgeNode> out = new ArrayList<>();
        for (Node n : nodes.getStore().list()) {
            String address = takesTraffic(n) ? address(n) : null;
            if (address != null) {
                out.add(new EdgeNode(n.getMetadata().getName(), address));
            }
        }
        out.sort(Comparator.comparing(EdgeNode::name));
        return out;
    }

    /** Ready and not cordoned, as a Service's NodePort is only worth sending to on such a Node. */
    static boolean takesTraffic(Node n) {
        boolean ready = n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        boolean cordoned = n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable());
        return ready && !cordoned;
    }

    /** The Node's first address of our type (a dual-stack Node has one per family), or null. */
    private String address(Node n) {
        if (n.getStatus().getAddresses() != null) {
            for (NodeAddress a : n.getStatus().getAddresses()) {
                if (addressType.equals(a.getType()) && a.getAddress() != null && !a.getAddress().isEmpty()) {
                    return a.getAddress();
                }
            }
        }
        return null;
    }

    private Map<Integer, Integer> nodePorts() {
        Map<Integer, Integer> out = new TreeMap<>();
        List<Service> found = services.getStore().list();
        if (found.isEmpty()) {
            if (!serviceMissing) {
                log.warn("--service {}/{}: no such Service (yet): no NodePorts to send to", namespace, name);
            }
            serviceMissing = true;
            return out;
        }
        serviceMissing = false;
        Service s = found.get(0);
        if (s.getSpec() != null && s.getSpec().getPorts() != null) {
            for (ServicePort p : s.getSpec().getPorts()) {
                if (p.getNodePort() != null && p.getPort() != null
                        && (p.getProtocol() == null || "TCP".equals(p.getProtocol()))) {
                    out.put(p.getPort(), p.getNodePort());
                }
            }
        }
        return out;
    }

    private final class Changed<T> implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T obj) {
            changed();
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            changed();
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            changed();
        }
    }

    @Override
    public void close() {
        if (nodes != null) {
            nodes.close();
        }
        if (services != null) {
            services.close();
        }
        if (ownsClient) {
            client.close();
        }
    }
}
