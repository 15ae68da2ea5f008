package dev.gatehouse.edge.emit;

import dev.gatehouse.edge.pool.EdgeNode;

import java.util.HashSet;
import java.util.Set;

/**
 * {@code --print-haproxy}: a whole haproxy.cfg, one frontend and backend per listen port. HAProxy's active checks
 * ({@code check inter fall rise}, with {@code option httpchk} for {@code --health-check http:PATH}) take a node out
 * and back as the edge's do; {@code option redispatch} with one retry sends a failed connect to another node at once.
 * Every check asks the same port of a node ({@code port}), as the edge's do, and sends the PROXY header too
 * ({@code check-send-proxy}) when that port is a proxied listener, which requires one.
 */
public final class HaproxyConfig {
    private HaproxyConfig() {
    }

    public static String render(StreamPlan plan) {
        StringBuilder out = new StringBuilder();
        out.append("# gatehouse edge --print-haproxy, nodes: ").append(plan.nodes().nodes().size()).append('\n')
                .append("defaults\n")
                .append("    mode tcp\n")
                .append("    option redispatch\n")
                .append("    retries 1\n")
                .append("    timeout connect ").append(StreamPlan.time(plan.connectTimeout())).append('\n')
                .append("    timeout client ").append(StreamPlan.time(plan.idleTimeout())).append('\n')
                .append("    timeout server ").append(StreamPlan.time(plan.idleTimeout())).append('\n')
                .append("    timeout check ").append(StreamPlan.time(plan.timeout())).append('\n');
        for (StreamPlan.Upstream u : plan.upstreams()) {
            out.append('\n')
                    .append("frontend ").append(u.name()).append('\n')
                    .append("    bind ").append(StreamPlan.hostPort(u.listen().getHostString(), u.listen().getPort()))
                    .append('\n')
                    .append("    default_backend ").append(u.name()).append('\n')
                    .append('\n')
                    .append("backend ").append(u.name()).append('\n')
                    .append("    balance ").append(plan.leastConnections() ? "leastconn" : "roundrobin").append('\n');
            if (plan.healthPath() != null) {
                out.append("    option httpchk\n")
                        .append("    http-check send meth GET uri ").append(plan.healthPath())
                        .append(" ver HTTP/1.1 hdr Host gatehouse-edge\n")
                        .append("    http-check expect status 200\n");
            }
            out.append("    default-server check inter ").append(StreamPlan.time(plan.interval()))
                    .append(" fall ").append(Math.max(1, plan.unhealthyThreshold()))
                    .append(" rise ").append(Math.max(1, plan.healthyThreshold()));
            out.append(" port ").append(plan.healthNodePort());
            if (plan.proxyProtocol() != 0) {
                out.append(plan.proxyProtocol() == 2 ? " send-proxy-v2" : " send-proxy")
                        .append(plan.checkSendsProxy() ? " check-send-proxy" : "");
            }
            out.append('\n');
            Set<String> names = new HashSet<>();
            for (EdgeNode n : plan.nodes().nodes()) {
                out.append("    server ").append(serverName(n.name(), names)).append(' ')
                        .append(StreamPlan.hostPort(n.address(), u.nodePort())).append('\n');
            }
        }
        return out.toString();
    }

    /** A server name HAProxy accepts (letters, digits, - _ . :) and unique in its backend. */
    static String serverName(String name, Set<String> taken) {
        StringBuilder b = new StringBuilder(name == null || name.isEmpty() ? "node" : name);
        for (int i = 0; i < b.length(); i++) {
            char c = b.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && ".-_:".indexOf(c) < 0) {
                b.setCharAt(i, '_');
            }
        }
        String base = b.toString();
        String out = base;
        for (int i = 2; !taken.add(out); i++) {
            out = base + '-' + i;
        }
        return out;
    }
}
