package dev.gatehouse.edge.discovery;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Nodes and a NodePort Service as a cluster has them, written to the mock API server. */
final class KubeNodes {
    /** The mock API server logs every request at INFO: keep its warnings only. */
    static final java.util.logging.Logger MOCK_SERVER_LOG = quiet(java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"));

    private KubeNodes() {
    }

    private static java.util.logging.Logger quiet(java.util.logging.Logger logger) {
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    static Node node(KubernetesClient client, String name, String internalIp, String externalIp) {
        return client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(internalIp).endAddress()
                .addNewAddress().withType("ExternalIP").withAddress(externalIp).endAddress()
                .addNewAddress().withType("Hostname").withAddress(name).endAddress()
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
    }

    static void cordon(KubernetesClient client, String name) {
        client.nodes().withName(name).edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(true).endSpec().build());
    }

    static void ready(KubernetesClient client, String name, boolean ready) {
        client.nodes().withName(name).edit(n -> {
            n.getStatus().getConditions().get(0).setStatus(ready ? "True" : "False");
            return n;
        });
    }

    /** A NodePort Service: each pair is port, nodePort. */
    static Service service(KubernetesClient client, String namespace, String name, int... portAndNodePort) {
        ServiceBuilder b = new ServiceBuilder();
        var spec = b.withNewMetadata().withNamespace(namespace).withName(name).endMetadata().withNewSpec()
                .withType("NodePort");
        for (int i = 0; i < portAndNodePort.length; i += 2) {
            spec.addNewPort().withName("p" + portAndNodePort[i]).withProtocol("TCP").withPort(portAndNodePort[i])
                    .withNodePort(portAndNodePort[i + 1]).endPort();
        }
        return client.services().resource(spec.endSpec().build()).create();
    }
}
