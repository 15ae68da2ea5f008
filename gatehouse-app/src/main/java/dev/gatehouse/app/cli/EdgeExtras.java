package dev.gatehouse.app.cli;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.discovery.KubernetesNodeSource;
import dev.gatehouse.edge.emit.HaproxyConfig;
import dev.gatehouse.edge.emit.NginxStreamConfig;
import dev.gatehouse.edge.emit.StreamPlan;
import dev.gatehouse.edge.gate.AllowedHosts;
import dev.gatehouse.edge.pool.NodeSet;
import dev.gatehouse.edge.pool.NodeSource;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The edge's optional flags: discovery through the Kubernetes API, the L7 gates' checks of their flags, and
 * {@code --print-nginx} / {@code --print-haproxy}.
 */
final class EdgeExtras {
    /** The longest --print-* waits for the API's first list of Nodes and the Service. */
    private static final long FIRST_LIST_SECONDS = 30;

    private EdgeExtras() {
    }

    /** Refuses, naming the flag, what the gates and the Kubernetes discovery cannot take. */
    static void validate(CommandLine cl, EdgeOptions o) {
        if ((o.kubeconfig() == null) != (o.service() == null)) {
            throw new ParameterException(cl, "--kubeconfig and --service go together (nodes and NodePorts from the API)");
        }
        if (o.kubeconfig() != null && (!o.nodes().isEmpty() || o.nodesFile() != null || !o.nodePorts().isEmpty())) {
            throw new ParameterException(cl, "--kubeconfig/--service take the nodes and NodePorts from the API: "
                    + "leave out --nodes, --nodes-file and --node-port");
        }
        if (!o.allowHosts().isEmpty()) {
            try {
                AllowedHosts.parse(String.join(",", o.allowHosts()));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, e.getMessage());
            }
        }
        if (o.redirectHttp() && o.listen().stream().noneMatch(a -> a.getPort() == 80)) {
            throw new ParameterException(cl, "--redirect-http answers on the --listen of port 80, and there is none");
        }
        if (o.printNginx() && o.printHaproxy()) {
            throw new ParameterException(cl, "--print-nginx and --print-haproxy: one at a time");
        }
    }

    /** {@code --kubeconfig}, {@code --service}, {@code --node-address}: the nodes and NodePorts from the API. */
    static NodeSource kubernetesSource(EdgeOptions o) {
        try {
            return KubernetesNodeSource.fromKubeconfig(o.kubeconfig(), o.service(),
                    o.nodeAddress() == EdgeOptions.NodeAddress.EXTERNAL);
        } catch (IOException | KubernetesClientException e) {
            throw StartupFailure.badValue("--kubeconfig", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw StartupFailure.badValue("--service", e.getMessage());
        }
    }

    /**
     * Prints the config for the nodes and ports {@code source} has now (from the flags, the file or the API) and
     * returns the exit code.
     */
    static int print(CommandLine cl, EdgeOptions o, NodeSource source) throws Exception {
        NodeSet nodes = firstSet(source);
        // a stream proxy has no HTTP server to redirect with and no SNI/Host check: say so rather than drop them
        if (o.redirectHttp()) {
            cl.getErr().println("gatehouse: --redirect-http is not in the printed config: port 80 is left out");
        }
        if (!o.allowHosts().isEmpty()) {
            cl.getErr().println("gatehouse: --allow-hosts is not in the printed config: every host is relayed");
        }
        String config;
        try {
            StreamPlan plan = plan(o, nodes);
            config = o.printNginx() ? NginxStreamConfig.render(plan) : HaproxyConfig.render(plan);
        } catch (IllegalArgumentException e) {
            cl.getErr().println("gatehouse: " + e.getMessage());
            return 1;
        }
        PrintWriter out = cl.getOut();
        out.print(config);
        out.flush();
        return 0;
    }

    private static NodeSet firstSet(NodeSource source) throws Exception {
        BlockingQueue<NodeSet> sets = new ArrayBlockingQueue<>(1);
        try (source) {
            source.start(sets::offer);
            NodeSet first = sets.poll(FIRST_LIST_SECONDS, TimeUnit.SECONDS);
            if (first == null) {
                throw StartupFailure.badValue("--kubeconfig", "no list of Nodes and the Service from the API within "
                        + FIRST_LIST_SECONDS + " s");
            }
            return first;
        } catch (KubernetesClientException e) {
            throw StartupFailure.badValue("--kubeconfig", e.getMessage());
        }
    }

    /** The flags as the emitters read them; the health checks ask what the edge's own would. */
    static StreamPlan plan(EdgeOptions o, NodeSet nodes) {
        List<InetSocketAddress> relayed = o.listen().stream().filter(a -> !o.redirectHttp() || a.getPort() != 80)
                .toList();
        StreamPlan.check(relayed, nodes);
        EdgeOptions.HealthCheck h = o.healthCheck();
        // as the edge: --health-port, else the first listen port's NodePort
        Integer healthNodePort = h.port() != 0 ? Integer.valueOf(h.port())
                : nodes.nodePorts().get(relayed.get(0).getPort());
        if (healthNodePort == null) {
            throw StreamPlan.noNodePort(relayed.get(0));
        }
        return new StreamPlan(relayed, nodes, o.balance() == EdgeOptions.Balance.LEAST_CONNECTIONS,
                switch (o.proxyProtocol()) {
                    case V2 -> 2;
                    case V1 -> 1;
                    case OFF -> 0;
                }, h.httpPath(), healthNodePort, h.port() == 0, h.interval(), h.timeout(), h.healthyThreshold(),
                h.unhealthyThreshold(), o.connectTimeout(), o.idleTimeout());
    }
}
