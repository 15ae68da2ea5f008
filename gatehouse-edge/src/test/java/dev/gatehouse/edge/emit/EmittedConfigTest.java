package dev.gatehouse.edge.emit;

import dev.gatehouse.edge.pool.EdgeNode;
import dev.gatehouse.edge.pool.NodeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The emitted configs load in Debian's nginx and haproxy (their own checkers say so), and say what the edge does. */
class EmittedConfigTest {
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final Path NGINX_STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");

    @TempDir
    Path dir;

    private static final NodeSet THREE = new NodeSet(List.of(new EdgeNode("node-a", "10.0.0.11"),
            new EdgeNode("node-b", "10.0.0.12"), new EdgeNode("node c", "fd00::13")), Map.of(80, 30080, 443, 30443));

    private static StreamPlan plan(NodeSet nodes, boolean leastConn, int proxyProtocol, String healthPath) {
        return new StreamPlan(List.of(new InetSocketAddress("0.0.0.0", 80), new InetSocketAddress("::", 443)), nodes,
                leastConn, proxyProtocol, healthPath, 30080, true, Duration.ofSeconds(2), Duration.ofMillis(1500), 2, 3,
                Duration.ofSeconds(5), Duration.ofHours(1));
    }

    @Test
    void nginxLeastConnectionsProxyV2() throws Exception {
        String conf = NginxStreamConfig.render(plan(THREE, true, 2, null));
        assertThat(conf).contains("upstream gatehouse_edge_443 {\n        least_conn;\n"
                + "        server 10.0.0.11:30443 max_fails=3 fail_timeout=4s;  # node-a\n")
                .contains("server [fd00::13]:30080 max_fails=3 fail_timeout=4s;  # node c\n")
                .contains("listen [0:0:0:0:0:0:0:0]:443;\n        proxy_pass gatehouse_edge_443;\n        proxy_protocol on;\n")
                .contains("proxy_connect_timeout 5s;", "proxy_timeout 3600s;", "proxy_half_close on;",
                        "proxy_next_upstream_tries 3;");
        nginxAccepts(conf);
    }

    @Test
    void nginxRoundRobinWithoutProxyProtocol() throws Exception {
        String conf = NginxStreamConfig.render(plan(THREE, false, 0, "/ready"));
        assertThat(conf).doesNotContain("least_conn", "proxy_protocol on");
        nginxAccepts(conf);
    }

    @Test
    void haproxyLeastConnectionsProxyV2TcpChecks() throws Exception {
        String conf = HaproxyConfig.render(plan(THREE, true, 2, null));
        assertThat(conf).contains("frontend gatehouse_edge_80\n    bind 0.0.0.0:80\n")
                .contains("bind [0:0:0:0:0:0:0:0]:443\n")
                .contains("balance leastconn\n"
                        + "    default-server check inter 2s fall 3 rise 2 port 30080 send-proxy-v2 check-send-proxy\n"
                        + "    server node-a 10.0.0.11:30443\n    server node-b 10.0.0.12:30443\n"
                        + "    server node_c [fd00::13]:30443\n")
                .contains("option redispatch", "timeout check 1500ms").doesNotContain("httpchk");
        haproxyAccepts(conf);
    }

    @Test
    void haproxyRoundRobinProxyV1HttpChecksAskTheHealthPort() throws Exception {
        String conf = HaproxyConfig.render(plan(THREE, false, 1, "/ready"));
        assertThat(conf).contains("balance roundrobin\n    option httpchk\n"
                        + "    http-check send meth GET uri /ready ver HTTP/1.1 hdr Host gatehouse-edge\n"
                        + "    http-check expect status 200\n"
                        + "    default-server check inter 2s fall 3 rise 2 port 30080 send-proxy check-send-proxy\n");
        haproxyAccepts(conf);
        assertThat(HaproxyConfig.render(plan(THREE, false, 0, null))).doesNotContain("send-proxy");
        StreamPlan admin = new StreamPlan(List.of(new InetSocketAddress("0.0.0.0", 443)), THREE, true, 2, "/ready",
                30902, false, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 2, Duration.ofSeconds(2),
                Duration.ofHours(1));
        assertThat(HaproxyConfig.render(admin)).contains("port 30902 send-proxy-v2\n");
    }

    @Test
    void serverNamesAreUniqueInABackend() {
        NodeSet twins = new NodeSet(List.of(new EdgeNode("a/b", "10.0.0.1"), new EdgeNode("a.b", "10.0.0.2"),
                new EdgeNode("a_b", "10.0.0.3")), Map.of(80, 30080, 443, 30443));
        assertThat(HaproxyConfig.render(plan(twins, true, 2, null)))
                .contains("server a_b 10.0.0.1:30080\n    server a.b 10.0.0.2:30080\n    server a_b-2 10.0.0.3:30080\n");
    }

    @Test
    void whatWouldNotLoadIsRefusedNamingTheFlag() {
        assertThatThrownBy(() -> NginxStreamConfig.render(plan(new NodeSet(List.of(), Map.of(80, 30080, 443, 30443)),
                true, 2, null))).hasMessageContaining("no nodes");
        assertThatThrownBy(() -> HaproxyConfig.render(plan(new NodeSet(THREE.nodes(), Map.of(80, 30080)), true, 2,
                null))).hasMessageContaining("--listen [0:0:0:0:0:0:0:0]:443 has no NodePort");
    }

    /** The checker catches a broken config: without this the two tests above could pass on a checker that says yes. */
    @Test
    void theCheckersRefuseABrokenConfig() throws Exception {
        String nginx = NginxStreamConfig.render(plan(THREE, true, 2, null)).replace("least_conn;", "least_conn");
        assertThat(nginxCheck(nginx).exitCode).isNotZero();
        String haproxy = HaproxyConfig.render(plan(THREE, true, 2, null)).replace("balance leastconn", "balance most");
        assertThat(haproxyCheck(haproxy).exitCode).isNotZero();
    }

    private void nginxAccepts(String conf) throws Exception {
        Result r = nginxCheck(conf);
        assertThat(r.exitCode).as("nginx -t on\n%s\nsaid: %s", conf, r.output).isZero();
    }

    private void haproxyAccepts(String conf) throws Exception {
        Result r = haproxyCheck(conf);
        assertThat(r.exitCode).as("haproxy -c on\n%s\nsaid: %s", conf, r.output).isZero();
        assertThat(r.output).as("haproxy -c warnings").doesNotContainIgnoringCase("warning");
    }

    /** nginx -t on a minimal main config that includes the emitted file, as nginx.conf would. */
    private Result nginxCheck(String conf) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(NGINX), "nginx is not installed (Debian: apt-get install nginx-light "
                + "libnginx-mod-stream): the emitted NGINX config is not checked");
        Result v = run(List.of(NGINX.toString(), "-V"));
        boolean dynamicStream = v.output.contains("--with-stream=dynamic");
        Assumptions.assumeTrue(!dynamicStream || Files.exists(NGINX_STREAM_MODULE), "nginx's stream module is not "
                + "installed (Debian: apt-get install libnginx-mod-stream): the emitted NGINX config is not checked");
        Path included = Files.writeString(dir.resolve("gatehouse-edge.conf"), conf);
        Path main = Files.writeString(dir.resolve("nginx.conf"), (dynamicStream ? "load_module "
                + NGINX_STREAM_MODULE + ";\n" : "") + "pid " + dir.resolve("nginx.pid") + ";\nerror_log "
                + dir.resolve("error.log") + ";\nevents {}\ninclude " + included + ";\n");
        return run(List.of(NGINX.toString(), "-t", "-q", "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                "-c", main.toString()));
    }

    private Result haproxyCheck(String conf) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(HAPROXY), "haproxy is not installed (Debian: apt-get install "
                + "haproxy): the emitted HAProxy config is not checked");
        Path file = Files.writeString(dir.resolve("haproxy.cfg"), conf);
        return run(List.of(HAPROXY.toString(), "-c", "-f", file.toString()));
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s ended", command).isTrue();
        return new Result(p.exitValue(), out);
    }
}
