package dev.gatehouse.app.cli;

import dev.gatehouse.edge.EdgeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gatehouse edge}: the issue's flags, their defaults, and usage errors that say what to write. */
class EdgeCommandTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private static EdgeOptions parse(String... args) {
        EdgeCommand edge = new EdgeCommand();
        new CommandLine(edge).parseArgs(args);
        return edge.options();
    }

    @Test
    void theIssuesFirstCommandLineWithItsDefaults() {
        EdgeOptions o = parse("--listen", "0.0.0.0:80", "--listen", "0.0.0.0:443", "--nodes",
                "10.0.0.11,10.0.0.12,10.0.0.13", "--node-port", "80=30080", "--node-port", "443=30443");
        assertThat(o.listen()).containsExactly(new InetSocketAddress("0.0.0.0", 80), new InetSocketAddress("0.0.0.0", 443));
        assertThat(o.nodes()).extracting(n -> n.address()).containsExactly("10.0.0.11", "10.0.0.12", "10.0.0.13");
        assertThat(o.nodePorts()).isEqualTo(Map.of(80, 30080, 443, 30443));
        assertThat(o.balance()).isEqualTo(EdgeOptions.Balance.LEAST_CONNECTIONS);
        assertThat(o.proxyProtocol()).isEqualTo(EdgeOptions.ProxyProtocol.V2);
        assertThat(o.nodeAddress()).isEqualTo(EdgeOptions.NodeAddress.INTERNAL);
        assertThat(o.healthCheck().httpPath()).isNull();
        assertThat(o.healthCheck().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.admin()).isEqualTo(new InetSocketAddress("127.0.0.1", 9902));
        assertThat(o.transport()).isEqualTo(EdgeOptions.Transport.AUTO);
    }

    @Test
    void choicesAndTheHttpCheck() {
        EdgeOptions o = parse("--listen", "0.0.0.0:80", "--nodes", "a", "--node-port", "80=30080", "--balance",
                "round-robin", "--proxy-protocol", "off", "--health-check", "http:/ready", "--health-port", "30901",
                "--health-interval", "300ms", "--admin", "off", "--transport", "io_uring");
        assertThat(o.balance()).isEqualTo(EdgeOptions.Balance.ROUND_ROBIN);
        assertThat(o.proxyProtocol()).isEqualTo(EdgeOptions.ProxyProtocol.OFF);
        assertThat(o.healthCheck().httpPath()).isEqualTo("/ready");
        assertThat(o.healthCheck().port()).isEqualTo(30901);
        assertThat(o.healthCheck().interval()).isEqualTo(Duration.ofMillis(300));
        assertThat(o.admin()).isNull();
        assertThat(o.transport()).isEqualTo(EdgeOptions.Transport.IO_URING);
    }

    @Test
    void aListenPortWithoutANodePortIsAUsageError() {
        assertThat(console.run("edge", "--listen", "0.0.0.0:80", "--listen", "0.0.0.0:443", "--nodes", "10.0.0.11",
                "--node-port", "80=30080")).isEqualTo(2);
        assertThat(console.err()).contains("--listen 0.0.0.0:443 has no --node-port 443=NODEPORT");
    }

    @Test
    void withoutNodesTheErrorSaysWhereToGetThem() {
        assertThat(console.run("edge", "--listen", "0.0.0.0:80", "--node-port", "80=30080")).isEqualTo(2);
        assertThat(console.err()).contains("--nodes, --nodes-file or --kubeconfig");
    }

    @Test
    void badChoicesListTheGoodOnes() {
        assertThat(console.run("edge", "--listen", "0.0.0.0:80", "--nodes", "a", "--node-port", "80=30080",
                "--balance", "fastest")).isEqualTo(2);
        assertThat(console.err()).contains("--balance must be one of round-robin, least-connections, got 'fastest'");
        assertThat(console.run("edge", "--listen", "0.0.0.0:80", "--nodes", "a", "--node-port", "80=30080",
                "--transport", "dpdk")).isEqualTo(2);
        // spelled as --help spells them (io_uring, not io-uring)
        assertThat(console.err()).contains("--transport must be one of auto, io_uring, epoll, nio, got 'dpdk'");
        assertThat(console.run("edge", "--listen", "0.0.0.0:80", "--nodes", "a", "--node-port", "80=30080",
                "--health-check", "udp")).isEqualTo(2);
        assertThat(console.err()).contains("--health-check must be 'tcp' or 'http:/path'");
        assertThat(console.run("edge", "--listen", "eighty", "--nodes", "a")).isEqualTo(2);
        assertThat(console.err()).contains("--listen must be HOST:PORT");
    }
}
