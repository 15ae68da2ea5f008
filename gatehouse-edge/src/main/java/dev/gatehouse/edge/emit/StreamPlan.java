package dev.gatehouse.edge.emit;

import dev.gatehouse.edge.pool.NodeSet;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an emitted NGINX or HAProxy config describes: one TCP proxy per listen address, balancing over every node at
 * the listen port's NodePort. Both emitters read only this, so they describe the same job the edge itself does.
 *
 * @param listens           the edge's --listen addresses, each of whose ports has a NodePort in {@code nodes}
 * @param nodes             the nodes and NodePorts (from --nodes/--node-port or from the API)
 * @param leastConnections  least-connections, else round-robin
 * @param proxyProtocol     0 (off), 1 or 2
 * @param healthPath        the path of an HTTP health check (e.g. /ready), or {@code null} for a TCP connect check
 * @param healthNodePort    the port every check asks on each node (the edge checks a node, not each of its ports)
 * @param checkSendsProxy   the checked port is a proxied one, which wants a PROXY header first (not an admin port)
 * @param interval          between two active checks
 * @param timeout           of one check
 * @param healthyThreshold  checks in a row that bring a node back
 * @param unhealthyThreshold failures in a row that take a node out
 * @param connectTimeout    of a connection to a node
 * @param idleTimeout       after which a connection with no bytes either way is closed
 */
public record StreamPlan(List<InetSocketAddress> listens, NodeSet nodes, boolean leastConnections, int proxyProtocol,
                         String healthPath, int healthNodePort, boolean checkSendsProxy, Duration interval, Duration timeout, int healthyThreshold,
                         int unhealthyThreshold, Duration connectTimeout, Duration idleTimeout) {

    public StreamPlan {
        listens = List.copyOf(listens);
        Objects.requireNonNull(nodes, "nodes");
        if (healthNodePort < 1 || healthNodePort > 65535) {
            throw new IllegalArgumentException("health check port " + healthNodePort);
        }
        if (proxyProtocol < 0 || proxyProtocol > 2) {
            throw new IllegalArgumentException("proxy protocol version " + proxyProtocol);
        }
    }

    /** One proxied port: where the edge listens and where on each node it sends the connections. */
    record Upstream(InetSocketAddress listen, int nodePort) {
        String name() {
            return "gatehouse_edge_" + listen.getPort();
        }
    }

    /**
     * @throws IllegalArgumentException when there is nothing to proxy to, or a listen port has no NodePort: both
     *                                  would give a config that does not load (an upstream with no servers)
     */
    List<Upstream> upstreams() {
        return upstreams(listens, nodes);
    }

    /**
     * @throws IllegalArgumentException as {@link #upstreams()}: before a plan is made of them, for its reader
     */
    public static void check(List<InetSocketAddress> listens, NodeSet nodes) {
        upstreams(listens, nodes);
    }

    private static List<Upstream> upstreams(List<InetSocketAddress> listens, NodeSet nodes) {
        if (nodes.nodes().isEmpty()) {
            throw new IllegalArgumentException("no nodes to balance over (none given, or none Ready and schedulable)");
        }
        if (listens.isEmpty()) {
            throw new IllegalArgumentException("no --listen address");
        }
        List<Upstream> out = new ArrayList<>();
        for (InetSocketAddress listen : listens) {
            Integer nodePort = nodes.nodePorts().get(listen.getPort());
            if (nodePort == null) {
                throw noNodePort(listen);
            }
            out.add(new Upstream(listen, nodePort));
        }
        return out;
    }

    /** What is wrong with a listen port that has no NodePort, for the flags' reader. */
    public static IllegalArgumentException noNodePort(InetSocketAddress listen) {
        return new IllegalArgumentException("--listen " + hostPort(listen.getHostString(), listen.getPort())
                + " has no NodePort (give --node-port " + listen.getPort() + "=NODEPORT, or a Service port "
                + listen.getPort() + ")");
    }

    /** host:port, an IPv6 literal in brackets (as both NGINX and HAProxy read it). */
    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + port;
    }

    /** Whole seconds or milliseconds, the units both NGINX and HAProxy read. */
    static String time(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
