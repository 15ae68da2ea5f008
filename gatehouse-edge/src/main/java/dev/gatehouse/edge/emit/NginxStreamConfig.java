package dev.gatehouse.edge.emit;

import dev.gatehouse.edge.pool.EdgeNode;

/**
 * {@code --print-nginx}: a {@code stream {}} block for nginx.conf's main context. Not a conf.d/ file: Debian's
 * nginx.conf reads conf.d/ inside {@code http {}}, where a stream block is an error. Open-source NGINX has no active
 * health checks ({@code health_check} is NGINX Plus), so a node is taken out passively: after
 * {@code unhealthyThreshold} failed connects it gets no connection for {@code fail_timeout}, and a failed connect is
 * retried on the next node at once ({@code proxy_next_upstream}), as the edge does. Its {@code proxy_protocol} sends
 * version 1 only, which the in-cluster gatehouse reads as well as version 2. {@code proxy_half_close} (nginx 1.21.4
 * and later; Debian 12 ships 1.22) passes a client's half-close on to the node as the edge does: without it nginx
 * closes both ways at the first FIN, and a client that sends its request and shuts its write side loses the answer.
 */
public final class NginxStreamConfig {
    private NginxStreamConfig() {
    }

    public static String render(StreamPlan plan) {
        StringBuilder out = new StringBuilder();
        out.append("# gatehouse edge --print-nginx, nodes: ").append(plan.nodes().nodes().size()).append('\n')
                .append("# Include from nginx.conf's main context, outside http {} (Debian's conf.d/ is read inside\n")
                .append("# http {}), e.g. `include /etc/nginx/gatehouse-edge.conf;`, with the stream module loaded\n")
                .append("# (Debian: libnginx-mod-stream). Passive health checks only: active ones are NGINX Plus.\n");
        if (plan.proxyProtocol() == 2) {
            out.append("# NGINX sends PROXY protocol version 1 only (asked for: version 2).\n");
        }
        out.append("stream {\n");
        // a node is out for fail_timeout after max_fails failures: as long as the edge takes to let it back in
        String failTimeout = StreamPlan.time(plan.interval().multipliedBy(Math.max(1, plan.healthyThreshold())));
        for (StreamPlan.Upstream u : plan.upstreams()) {
            out.append("    upstream ").append(u.name()).append(" {\n");
            if (plan.leastConnections()) {
                out.append("        least_conn;\n");
            }
            for (EdgeNode n : plan.nodes().nodes()) {
                out.append("        server ").append(StreamPlan.hostPort(n.address(), u.nodePort()))
                        .append(" max_fails=").append(Math.max(1, plan.unhealthyThreshold()))
                        .append(" fail_timeout=").append(failTimeout).append(';');
                if (!n.name().equals(n.address())) {
                    out.append("  # ").append(comment(n.name()));
                }
                out.append('\n');
            }
            out.append("    }\n");
            out.append("    server {\n")
                    .append("        listen ").append(StreamPlan.hostPort(u.listen().getHostString(),
                            u.listen().getPort())).append(";\n")
                    .append("        proxy_pass ").append(u.name()).append(";\n");
            if (plan.proxyProtocol() != 0) {
                out.append("        proxy_protocol on;\n");
            }
            out.append("        proxy_connect_timeout ").append(StreamPlan.time(plan.connectTimeout())).append(";\n")
                    .append("        proxy_timeout ").append(StreamPlan.time(plan.idleTimeout())).append(";\n")
                    .append("        proxy_half_close on;\n")
                    .append("        proxy_next_upstream on;\n")
                    .append("        proxy_next_upstream_tries ").append(plan.nodes().nodes().size()).append(";\n")
                    .append("    }\n");
        }
        return out.append("}\n").toString();
    }

    /** A node name in a comment: one line, whatever the API sent. */
    static String comment(String name) {
        return name.replace('\r', ' ').replace('\n', ' ');
    }
}
