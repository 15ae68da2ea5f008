package dev.gatehouse.kubernetes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How controller mode runs.
 *
 * @param kubeconfig a kubeconfig file, or {@code null} for the in-cluster config (the service account), falling back
 *                   to fabric8's usual lookup ({@code KUBECONFIG}, {@code ~/.kube/config})
 * @param leaderElectionNamespace where the Lease lives; {@code null} for the client's namespace (in a pod, the
 *                                service account's), else {@code default}
 * @param leaseDuration how long a dead leader keeps the Lease; another replica takes over within it
 * @param debounceQuiet a burst of events ends after this much quiet
 * @param debounceMaxDelay ... or this long after its first event, whichever comes first
 * @param crdRecheck how often a kind whose CRD is missing is looked for again
 * @param gatewayAddresses what a Gateway's status.addresses says
 */
public record KubernetesSettings(String controllerName, Path kubeconfig, String leaderElectionNamespace,
                                 String leaseName, Duration leaseDuration, Duration debounceQuiet,
                                 Duration debounceMaxDelay, Duration crdRecheck, GatewayAddresses gatewayAddresses) {
    public static final String DEFAULT_LEASE_NAME = "gatehouse-controller";

    public static KubernetesSettings defaults(String controllerName) {
        return new KubernetesSettings(controllerName, null, null, DEFAULT_LEASE_NAME, Duration.ofSeconds(15),
                Duration.ofMillis(150), Duration.ofSeconds(1), Duration.ofSeconds(30), GatewayAddresses.nodes());
    }

    public KubernetesSettings withKubeconfig(Path file) {
        return new KubernetesSettings(controllerName, file, leaderElectionNamespace, leaseName, leaseDuration,
                debounceQuiet, debounceMaxDelay, crdRecheck, gatewayAddresses);
    }

    public KubernetesSettings withLeaderElection(String namespace, Duration lease) {
        return new KubernetesSettings(controllerName, kubeconfig, namespace, leaseName, lease, debounceQuiet,
                debounceMaxDelay, crdRecheck, gatewayAddresses);
    }

    public KubernetesSettings withCrdRecheck(Duration every) {
        return new KubernetesSettings(controllerName, kubeconfig, leaderElectionNamespace, leaseName, leaseDuration,
                debounceQuiet, debounceMaxDelay, every, gatewayAddresses);
    }

    public KubernetesSettings withGatewayAddresses(GatewayAddresses addresses) {
        return new KubernetesSettings(controllerName, kubeconfig, leaderElectionNamespace, leaseName, leaseDuration,
                debounceQuiet, debounceMaxDelay, crdRecheck, addresses);
    }

    /** Renewal must succeed within two thirds of the lease, as client-go's defaults (15 s / 10 s / 2 s) have it. */
    Duration renewDeadline() {
        return leaseDuration.multipliedBy(2).dividedBy(3);
    }

    Duration retryPeriod() {
        return leaseDuration.dividedBy(7).isZero() ? Duration.ofMillis(100) : leaseDuration.dividedBy(7);
    }

    /**
     * @param mode {@code nodes}: the InternalIP of every Ready, schedulable Node; {@code nodes-external}: their
     *             ExternalIP; {@code fixed}: {@code fixed}, as given
     */
    public record GatewayAddresses(String mode, List<String> fixed) {
        public GatewayAddresses {
            fixed = List.copyOf(fixed);
        }

        public static GatewayAddresses nodes() {
            return new GatewayAddresses("nodes", List.of());
        }

        /** @throws IllegalArgumentException for an empty list or an empty entry */
        public static GatewayAddresses parse(String value) {
            String v = value.trim();
            if (v.equals("nodes") || v.equals("nodes-external")) {
                return new GatewayAddresses(v, List.of());
            }
            List<String> list = List.of(v.split(",", -1)).stream().map(String::trim).toList();
            if (list.stream().anyMatch(String::isEmpty)) {
                throw new IllegalArgumentException("expected nodes, nodes-external or a comma-separated list of "
                        + "addresses, got '" + value + "'");
            }
            return new GatewayAddresses("fixed", list);
        }
    }
}
