package dev.gatehouse.app.cli;

import dev.gatehouse.kubernetes.KubernetesSettings;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code run}'s controller mode: read the resources from the Kubernetes API instead of a config PATH. */
final class KubernetesFlags {
    @Option(names = "--kubernetes",
            description = "Controller mode: watch the Gateway API resources in the cluster (in-cluster config, or "
                    + "--kubeconfig) and write their status, instead of reading a config PATH.")
    boolean kubernetes;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "With --kubernetes: the kubeconfig to connect with (its current context); implies --kubernetes.")
    Path kubeconfig;

    @Option(names = "--leader-election-namespace", paramLabel = "NAMESPACE",
            description = "With --kubernetes: where the Lease that elects the one replica writing status lives "
                    + "(default: the pod's namespace, else the kubeconfig context's, else default).")
    String leaderElectionNamespace;

    @Option(names = "--gateway-addresses", defaultValue = "nodes", paramLabel = "nodes|nodes-external|ADDR,...",
            description = "With --kubernetes: the Gateways' status.addresses: the InternalIP of every Ready, "
                    + "schedulable Node (nodes), their ExternalIP (nodes-external), or a fixed list "
                    + "(default: ${DEFAULT-VALUE}).")
    String gatewayAddresses;

    boolean enabled() {
        return kubernetes || kubeconfig != null;
    }

    /** Bad values fail before anything starts, in one line naming the flag. */
    KubernetesSettings settings(String controllerName) {
        if (kubeconfig != null && !Files.isReadable(kubeconfig)) {
            throw StartupFailure.badValue("--kubeconfig", kubeconfig + " does not exist or cannot be read");
        }
        KubernetesSettings.GatewayAddresses addresses;
        try {
            addresses = KubernetesSettings.GatewayAddresses.parse(gatewayAddresses);
        } catch (IllegalArgumentException e) {
            throw StartupFailure.badValue("--gateway-addresses", e.getMessage());
        }
        KubernetesSettings defaults = KubernetesSettings.defaults(controllerName);
        return defaults.withKubeconfig(kubeconfig)
                .withLeaderElection(leaderElectionNamespace, defaults.leaseDuration())
                .withGatewayAddresses(addresses);
    }
}
