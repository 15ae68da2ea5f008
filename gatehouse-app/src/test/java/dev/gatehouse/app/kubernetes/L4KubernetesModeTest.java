package dev.gatehouse.app.kubernetes;

import dev.gatehouse.app.demo.EchoServer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.gatehouse.app.kubernetes.KubernetesModeTest.eventually;
import static dev.gatehouse.app.kubernetes.KubernetesModeTest.freePort;
import static dev.gatehouse.app.kubernetes.KubernetesModeTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Controller mode reads TCPRoutes, TLSRoutes and UDPRoutes as standalone mode does: routes in fabric8's mock API
 * server (CRUD mode, the real CRDs) are relayed by the in-JVM data plane; where a cluster serves only an older
 * version of a route CRD (an older CRD bundle) that version is read (and its status written), and a route CRD installed after start is picked up.
 */
@Timeout(120)
class L4KubernetesModeTest {
    final List<AutoCloseable> open = new ArrayList<>();
    final int tcpPort;
    final int udpPort;
    final EchoServer pod;
    final DatagramSocket udpPod;

    L4KubernetesModeTest() throws Exception {
        tcpPort = freePort();
        udpPort = dev.gatehouse.testing.FreePorts.udp();
        pod = add(new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default"));
        udpPod = add(new DatagramSocket(0, InetAddress.getLoopbackAddress()));
        Thread t = new Thread(() -> {
            byte[] buf = new byte[2048];
            while (!udpPod.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    udpPod.receive(p);
                    udpPod.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
                } catch (Exception closed) {
                    return;
                }
            }
        }, "udp-pod");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void tcpAndUdpRoutesInTheApiAreRelayed() throws Exception {
        KubernetesClient api = add(new MockCluster().withGatewayApi().withGatehouseCrds()).client;
        apply(api, resources() + tcpRoute("v1") + udpRoute());
        add(new Replica(api, settings(), "127.0.0.1"));

        assertThat(viaTcp()).contains("\"pod\":\"pod-a\"");
        eventually().until(() -> "ping".equals(viaUdp("ping")));
        // their status is written back as an HTTPRoute's is
        eventually().untilAsserted(() -> {
            var tcp = api.resources(TCPRoute.class).inNamespace("default").withName("web").get();
            assertThat(tcp.getStatus().getParents()).singleElement().satisfies(p -> KubernetesModeTest.assertCondition(
                    p.getConditions(), "Accepted", "True", tcp.getMetadata().getGeneration()));
            var udp = api.resources(UDPRoute.class).inNamespace("default").withName("dns").get();
            assertThat(udp.getStatus().getParents()).singleElement().satisfies(p -> KubernetesModeTest.assertCondition(
                    p.getConditions(), "ResolvedRefs", "True", udp.getMetadata().getGeneration()));
        });
    }

    @Test
    void anOlderServedVersionIsReadAndARouteCrdInstalledLaterIsPickedUp() throws Exception {
        MockCluster cluster = add(new MockCluster().withGatewayApi(crd -> switch (crd.getSpec().getNames().getPlural()) {
            case "tcproutes" -> onlyVersion(crd, "v1alpha2");
            case "udproutes" -> null;
            default -> crd;
        }));
        KubernetesClient api = cluster.client;
        apply(api, resources() + tcpRoute("v1alpha2"));
        add(new Replica(api, settings().withCrdRecheck(Duration.ofMillis(300)), "127.0.0.1"));

        assertThat(viaTcp()).contains("\"pod\":\"pod-a\"");
        eventually().untilAsserted(() -> assertThat(api.resources(
                io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute.class).inNamespace("default").withName("web")
                .get().getStatus().getParents()).singleElement().satisfies(p -> assertThat(p.getConditions())
                .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Accepted=True"))));
        assertThat(viaUdp("early")).as("no UDPRoute yet: the datagram is dropped").isNull();

        cluster.installGatewayApi("udproutes", c -> c);
        apply(api, udpRoute());
        eventually().until(() -> "late".equals(viaUdp("late")));
    }

    /** The CRD as an older bundle has it (Gateway API v1.2's TCPRoute): that version alone, served and stored. */
    private static CustomResourceDefinition onlyVersion(CustomResourceDefinition crd, String version) {
        crd.getSpec().setVersions(crd.getSpec().getVersions().stream().filter(v -> v.getName().equals(version))
                .peek(v -> {
                    v.setServed(true);
                    v.setStorage(true);
                }).toList());
        return crd;
    }

    private String resources() {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GatewayClass
                metadata: {name: gatehouse}
                spec: {controllerName: gatehouse.dev/gateway-controller}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: edge, namespace: default}
                spec:
                  gatewayClassName: gatehouse
                  listeners:
                  - {name: tcp, protocol: TCP, port: %d}
                  - {name: udp, protocol: UDP, port: %d}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec:
                  ports: [{name: http, port: 80}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, port: %d}]
                endpoints:
                - addresses: ["127.0.0.1"]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: dns, namespace: default}
                spec:
                  ports: [{name: dns, port: 53, protocol: UDP}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: dns-1, namespace: default, labels: {kubernetes.io/service-name: dns}}
                addressType: IPv4
                ports: [{name: dns, port: %d, protocol: UDP}]
                endpoints:
                - addresses: ["127.0.0.1"]
                """.formatted(tcpPort, udpPort, pod.address().getPort(), udpPod.getLocalPort());
    }

    private static String tcpRoute(String version) {
        return """

                ---
                apiVersion: gateway.networking.k8s.io/%s
                kind: TCPRoute
                metadata: {name: web, namespace: default}
                spec:
                  parentRefs: [{name: edge, sectionName: tcp}]
                  rules: [{backendRefs: [{name: web, port: 80}]}]
                """.formatted(version);
    }

    private static String udpRoute() {
        return """

                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: UDPRoute
                metadata: {name: dns, namespace: default}
                spec:
                  parentRefs: [{name: edge, sectionName: udp}]
                  rules: [{backendRefs: [{name: dns, port: 53}]}]
                """;
    }

    private static void apply(KubernetesClient api, String yaml) {
        for (String doc : yaml.split("\n---\n")) {
            if (!doc.isBlank()) {
                api.resource(doc).create();
            }
        }
    }

    /** An HTTP request written by hand through the TCP listener: the relay does not know it is HTTP. */
    private String viaTcp() throws Exception {
        try (Socket s = new Socket("127.0.0.1", tcpPort)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** @return the echo of one datagram through the UDP listener, or {@code null} when none came within 1 s */
    private String viaUdp(String text) throws Exception {
        try (DatagramSocket c = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] b = text.getBytes(StandardCharsets.US_ASCII);
            c.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", udpPort)));
            c.setSoTimeout(1000);
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                c.receive(p);
            } catch (SocketTimeoutException none) {
                return null;
            }
            return new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
        }
    }

    private <T extends AutoCloseable> T add(T closeable) {
        open.add(closeable);
        return closeable;
    }
}
