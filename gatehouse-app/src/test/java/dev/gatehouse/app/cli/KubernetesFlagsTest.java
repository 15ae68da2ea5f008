package dev.gatehouse.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code run --kubernetes}: wrong combinations and values fail before anything starts, in one line, exit 2. */
class KubernetesFlagsTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    /** As Main runs a command: a StartupFailure is its one line and exit 2. */
    private static int run(String... args) {
        return new CommandLine(new GatehouseCommand()).setExecutionExceptionHandler(StartupFailure.HANDLER)
                .execute(args);
    }

    @Test
    void aConfigPathWithKubernetesIsAUsageError() {
        assertThat(run("run", "--kubernetes", "src/test/resources/explain/matched.yaml")).isEqualTo(2);
        assertThat(console.err()).contains("--kubernetes reads the resources from the cluster: give it or a config "
                + "PATH, not both");
    }

    @Test
    void aKubeconfigThatCannotBeReadFailsNamingTheFlag() {
        assertThat(run("run", "--kubeconfig", "no/such/kubeconfig", "--admin", "off")).isEqualTo(2);
        assertThat(console.err()).contains("gatehouse: --kubeconfig: no/such/kubeconfig does not exist or cannot be read");
    }

    @Test
    void aBadGatewayAddressesListFailsNamingTheFlag() {
        assertThat(run("run", "--kubernetes", "--gateway-addresses", "203.0.113.7,,", "--admin", "off"))
                .isEqualTo(2);
        assertThat(console.err()).contains("gatehouse: --gateway-addresses: expected nodes, nodes-external or a "
                + "comma-separated list of addresses, got '203.0.113.7,,'");
    }
}
