package dev.gatehouse.edge;

import dev.gatehouse.edge.pool.EdgeNode;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every flag of {@code gatehouse edge}, parsed.
 *
 * @param listen the addresses to accept connections on
 * @param nodes {@code --nodes}: a static list (empty when the nodes come from a file or the API)
 * @param nodePorts {@code --node-port}: listen port -> node port
 * @param nodesFile {@code --nodes-file}, watched, or {@code null}
 * @param kubeconfig {@code --kubeconfig}, or {@code null}
 * @param service {@code --service NS/NAME}, or {@code null}
 * @param healthCheck {@code --health-check}
 * @param idleTimeout a relayed connection with no byte either way for this long is closed
 * @param connectTimeout how long one connect to a node may take before the next node is tried
 * @param allowHosts {@code --allow-hosts} patterns ({@code *.example.com}); empty: no check
 * @param admin the admin listener, or {@code null} for none
 * @param transport {@code --transport}: Netty's I/O transport for the listeners, the relays and the checks
 */
public record EdgeOptions(List<InetSocketAddress> listen, List<EdgeNode> nodes, Map<Integer, Integer> nodePorts,
                          Path nodesFile, Path kubeconfig, String service, NodeAddress nodeAddress, Balance balance,
                          ProxyProtocol proxyProtocol, HealthCheck healthCheck, Duration idleTimeout,
                          Duration connectTimeout, boolean redirectHttp, List<String> allowHosts, boolean printNginx,
                          boolean printHaproxy, InetSocketAddress admin, Transport transport) {
    public EdgeOptions {
        listen = List.copyOf(listen);
        nodes = List.copyOf(nodes);
        nodePorts = Map.copyOf(nodePorts);
        allowHosts = List.copyOf(allowHosts);
    }

    /** Which of a Kubernetes Node's addresses the edge connects to. */
    public enum NodeAddress { INTERNAL, EXTERNAL }

    /** How a node is chosen for each connection. */
    public enum Balance { ROUND_ROBIN, LEAST_CONNECTIONS }

    /** Netty's I/O transport: AUTO takes io_uring, else epoll, else NIO, whichever loads first. */
    public enum Transport { AUTO, IO_URING, EPOLL, NIO }

    /** The header written to a node before the client's bytes. */
    public enum ProxyProtocol { V2, V1, OFF }

    /**
     * Active health checks of each node.
     *
     * @param httpPath {@code null}: a TCP connect; else the path of an HTTP GET that must answer 2xx
     * @param port the node port probed; 0: the first listen port's node port (the HTTP form then sends a PROXY
     *             LOCAL header first, as the in-cluster listener requires one)
     * @param interval between two checks of a node
     * @param timeout one check's limit
     * @param healthyThreshold consecutive successes that bring a node back
     * @param unhealthyThreshold consecutive failures (checks or client connects) that take a node out
     */
    public record HealthCheck(String httpPath, int port, Duration interval, Duration timeout, int healthyThreshold,
                              int unhealthyThreshold) {
        /** @return {@code null} for "tcp", the path for "http:/path" */
        public static String parseKind(String spec) {
            if ("tcp".equals(spec)) {
                return null;
            }
            if (spec.startsWith("http:/")) {
                return spec.substring("http:".length());
            }
            throw new IllegalArgumentException("--health-check must be 'tcp' or 'http:/path' (e.g. http:/ready), got '"
                    + spec + "'");
        }
    }
}
