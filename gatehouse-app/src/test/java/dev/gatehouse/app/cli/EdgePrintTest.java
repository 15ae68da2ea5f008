package dev.gatehouse.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gatehouse edge --print-nginx | --print-haproxy}: the config for the nodes of the flags or of the API, on
 * standard output, exit 0; the edge's other optional flags refused, naming them, before anything starts.
 * (EmittedConfigTest loads such configs in nginx and haproxy; EdgePrintFromApiTest prints the nodes of an API.)
 */
@Timeout(120)
class EdgePrintTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    static int run(String... args) {
        return new CommandLine(new GatehouseCommand()).setExecutionExceptionHandler(StartupFailure.HANDLER)
                .execute(args);
    }

    @Test
    void nginxForTheNodesOfTheFlags() {
        assertThat(run("edge", "--listen", "0.0.0.0:80", "--listen", "0.0.0.0:443", "--nodes",
                "10.0.0.11,10.0.0.12", "--node-port", "80=30080", "--node-port", "443=30443", "--balance",
                "round-robin", "--print-nginx")).isZero();
        assertThat(console.out()).contains("stream {\n    upstream gatehouse_edge_80 {\n"
                        + "        server 10.0.0.11:30080 max_fails=2 fail_timeout=4s;\n")
                .contains("listen 0.0.0.0:443;\n        proxy_pass gatehouse_edge_443;\n        proxy_protocol on;\n")
                .doesNotContain("least_conn");
    }

    @Test
    void whatAStreamProxyCannotDoIsLeftOutAndSaid() {
        assertThat(run("edge", "--listen", "0.0.0.0:80", "--listen", "0.0.0.0:443", "--nodes", "10.0.0.11",
                "--node-port", "443=30443", "--redirect-http", "--allow-hosts", "a.example.com", "--print-haproxy"))
                .isZero();
        assertThat(console.out()).contains("frontend gatehouse_edge_443").doesNotContain("gatehouse_edge_80");
        assertThat(console.err()).contains("gatehouse: --redirect-http is not in the printed config: port 80 is left out",
                "gatehouse: --allow-hosts is not in the printed config: every host is relayed");
    }

    @Test
    void badGateAndDiscoveryFlagsAreUsageErrorsNamingTheFlag() {
        assertThat(run("edge", "--listen", "0.0.0.0:443", "--nodes", "10.0.0.11", "--node-port", "443=30443",
                "--allow-hosts", "a.example.com,a.*.example.com")).isEqualTo(2);
        assertThat(console.err()).contains("--allow-hosts: 'a.*.example.com' is not a host name or a leading wildcard");
        assertThat(run("edge", "--listen", "0.0.0.0:443", "--nodes", "10.0.0.11", "--node-port", "443=30443",
                "--redirect-http")).isEqualTo(2);
        assertThat(console.err()).contains("--redirect-http answers on the --listen of port 80, and there is none");
        assertThat(run("edge", "--listen", "0.0.0.0:443", "--kubeconfig", "edge.kubeconfig")).isEqualTo(2);
        assertThat(console.err()).contains("--kubeconfig and --service go together");
        assertThat(run("edge", "--listen", "0.0.0.0:443", "--kubeconfig", "no/such/kubeconfig", "--service",
                "gatehouse-system/gatehouse", "--print-nginx")).isEqualTo(2);
        assertThat(console.err()).contains("gatehouse: --kubeconfig: no/such/kubeconfig cannot be read");
    }

}
