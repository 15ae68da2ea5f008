package dev.gatehouse.app.kubernetes;

import dev.gatehouse.app.demo.EchoServer;
import dev.gatehouse.kubernetes.KubernetesSettings;
import dev.gatehouse.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Controller mode against fabric8's mock API server (CRUD mode, the real Gateway API CRDs): resources applied to the
 * API reach the in-JVM data plane, which proxies real requests to the EndpointSlice's loopback backends, and the
 * statuses come back through the status subresource.
 */
@Timeout(120)
class KubernetesModeTest {
    static final String CONTROLLER = TranslatorOptions.DEFAULT_CONTROLLER_NAME;
    /** generous: the machine is busy; each step normally takes well under a second */
    static final Duration AWAIT = Duration.ofSeconds(30);

    final List<AutoCloseable> open = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    MockCluster cluster;
    KubernetesClient api;
    EchoServer podA;
    EchoServer podB;
    int port;

    @BeforeEach
    void cluster() throws Exception {
        cluster = add(new MockCluster().withGatewayApi().withGatehouseCrds());
        api = cluster.client;
        podA = add(new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default"));
        podB = add(new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-b", "default"));
        port = freePort();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void resourcesInTheApiAreServedAndTheirStatusWrittenBack() throws Exception {
        apply(resources(port, podA.address().getPort()));
        Replica replica = add(new Replica(api, settings(), "127.0.0.1"));

        assertThat(get("127.0.0.1", "/hello").body()).contains("\"pod\":\"pod-a\"");

        eventually().untilAsserted(() -> {
            GatewayClass gc = api.resources(GatewayClass.class).withName("gatehouse").get();
            assertCondition(gc.getStatus().getConditions(), "Accepted", "True", gc.getMetadata().getGeneration());
            // the CRDs loaded are upstream's HEAD (bundle-version v0.0.0-dev), newer than any release
            assertCondition(gc.getStatus().getConditions(), "SupportedVersion", "True", gc.getMetadata().getGeneration());
            Gateway gw = gateway();
            assertCondition(gw.getStatus().getConditions(), "Accepted", "True", gw.getMetadata().getGeneration());
            assertCondition(gw.getStatus().getConditions(), "Programmed", "True", gw.getMetadata().getGeneration());
            assertThat(gw.getStatus().getListeners()).singleElement().satisfies(l -> {
                assertThat(l.getName()).isEqualTo("web");
                assertThat(l.getAttachedRoutes()).isEqualTo(1);
                assertCondition(l.getConditions(), "Programmed", "True", gw.getMetadata().getGeneration());
            });
            assertThat(gw.getStatus().getAddresses()).extracting(a -> a.getValue()).containsExactly("203.0.113.7");
            HTTPRoute route = route();
            assertThat(route.getStatus().getParents()).singleElement().satisfies(p -> {
                assertThat(p.getControllerName()).isEqualTo(CONTROLLER);
                assertThat(p.getParentRef().getName()).isEqualTo("edge");
                assertCondition(p.getConditions(), "Accepted", "True", route.getMetadata().getGeneration());
                assertCondition(p.getConditions(), "ResolvedRefs", "True", route.getMetadata().getGeneration());
            });
        });
        String acceptedSince = condition(route().getStatus().getParents().get(0).getConditions(), "Accepted")
                .getLastTransitionTime();

        // a route change: only /v2 goes to the backend now; still accepted, so the transition time stays
        Thread.sleep(1100); // lastTransitionTime has a resolution of one second
        edit(api, HTTPRoute.class, "echo", r -> {
            r.getSpec().getRules().get(0).setMatches(List.of(new io.fabric8.kubernetes.api.model.gatewayapi.v1
                    .HTTPRouteMatchBuilder().withNewPath().withType("PathPrefix").withValue("/v2").endPath().build()));
            return r;
        });
        eventually().until(() -> get("127.0.0.1", "/hello").statusCode() == 404);
        assertThat(get("127.0.0.1", "/v2/x").body()).contains("\"pod\":\"pod-a\"");
        eventually().untilAsserted(() -> {
            HTTPRoute route = route();
            Condition accepted = condition(route.getStatus().getParents().get(0).getConditions(), "Accepted");
            assertThat(accepted.getObservedGeneration()).isEqualTo(route.getMetadata().getGeneration()).isEqualTo(2L);
            assertThat(accepted.getLastTransitionTime()).isEqualTo(acceptedSince);
        });

        // an endpoint change: the pod moved; traffic follows the EndpointSlice, not a cluster IP
        edit(api, EndpointSlice.class, "echo-1", s -> {
            s.getPorts().get(0).setPort(podB.address().getPort());
            return s;
        });
        eventually().until(() -> get("127.0.0.1", "/v2/x").body().contains("\"pod\":\"pod-b\""));

        // deleting the Gateway closes its port: in the API that is deliberate, not an accident to refuse
        long writes = replica.controller.statusSink().writes();
        api.resources(Gateway.class).inNamespace("default").withName("edge").delete();
        eventually().untilAsserted(() -> assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                .isInstanceOf(ConnectException.class));
        assertThat(replica.control.ready()).isFalse();
        assertThat(writes).isPositive();
    }

    @Test
    void aGrpcRouteInTheApiIsServedAndItsStatusWrittenBack() throws Exception {
        String httpRoute = resources(port, podA.address().getPort());
        apply(httpRoute.substring(0, httpRoute.lastIndexOf("---\n")) + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: echo, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                  - matches: [{method: {service: echo.v1.Echo, method: Unary}}]
                    backendRefs: [{name: echo, port: 80}]
                """);
        add(new Replica(api, settings(), "127.0.0.1"));

        eventually().until(() -> post("/echo.v1.Echo/Unary").body().contains("\"pod\":\"pod-a\""));
        // another method of the service matches no rule: the gateway's answer is gRPC's UNIMPLEMENTED
        assertThat(post("/echo.v1.Echo/Other").headers().firstValue("grpc-status")).hasValue("12");
        eventually().untilAsserted(() -> {
            GRPCRoute route = api.resources(GRPCRoute.class).inNamespace("default").withName("echo").get();
            assertThat(route.getStatus().getParents()).singleElement().satisfies(p -> {
                assertThat(p.getControllerName()).isEqualTo(CONTROLLER);
                assertCondition(p.getConditions(), "Accepted", "True", route.getMetadata().getGeneration());
                assertCondition(p.getConditions(), "ResolvedRefs", "True", route.getMetadata().getGeneration());
            });
            assertThat(gateway().getStatus().getListeners().get(0).getSupportedKinds())
                    .extracting(k -> k.getKind()).containsExactly("HTTPRoute", "GRPCRoute");
        });
    }

    @Test
    void aListenerSetInTheApiIsServedOnItsGatewayAndStatusIsWrittenOnBothAndOnTheRoute() throws Exception {
        int teamPort = freePort();
        apply(resources(port, podA.address().getPort()).replace("  gatewayClassName: gatehouse\n",
                "  gatewayClassName: gatehouse\n  allowedListeners: {namespaces: {from: Same}}\n"));
        apply("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: ListenerSet
                metadata: {name: team, namespace: default}
                spec:
                  parentRef: {name: edge}
                  listeners:
                  - {name: team-web, protocol: HTTP, port: %d}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: team, namespace: default}
                spec:
                  parentRefs: [{group: gateway.networking.k8s.io, kind: ListenerSet, name: team}]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: /team}}]
                    backendRefs: [{name: echo, port: 80}]
                """.formatted(teamPort));
        add(new Replica(api, settings(), "127.0.0.1"));

        assertThat(get(teamPort, "/team").body()).contains("\"pod\":\"pod-a\"");
        eventually().untilAsserted(() -> {
            ListenerSet set = listenerSet();
            long generation = set.getMetadata().getGeneration();
            assertCondition(set.getStatus().getConditions(), "Accepted", "True", generation);
            assertCondition(set.getStatus().getConditions(), "Programmed", "True", generation);
            assertThat(set.getStatus().getListeners()).singleElement().satisfies(l -> {
                assertThat(l.getName()).isEqualTo("team-web");
                assertThat(l.getAttachedRoutes()).isEqualTo(1);
                assertCondition(l.getConditions(), "Programmed", "True", generation);
            });
            Gateway gw = gateway();
            assertThat(gw.getStatus().getAttachedListenerSets()).isEqualTo(1);
            assertCondition(gw.getStatus().getConditions(), "AttachedListenerSets", "True",
                    gw.getMetadata().getGeneration());
            HTTPRoute route = api.resources(HTTPRoute.class).inNamespace("default").withName("team").get();
            assertThat(route.getStatus().getParents()).singleElement().satisfies(p -> {
                assertThat(p.getParentRef().getKind()).isEqualTo("ListenerSet");
                assertCondition(p.getConditions(), "Accepted", "True", route.getMetadata().getGeneration());
            });
        });

        // the Gateway stops allowing ListenerSets: the team's port closes, and both objects say why
        edit(api, Gateway.class, "edge", g -> {
            g.getSpec().setAllowedListeners(null);
            return g;
        });
        eventually().untilAsserted(() -> assertThatThrownBy(() -> new Socket("127.0.0.1", teamPort).close())
                .isInstanceOf(ConnectException.class));
        eventually().untilAsserted(() -> {
            ListenerSet set = listenerSet();
            assertThat(condition(set.getStatus().getConditions(), "Accepted").getReason()).isEqualTo("NotAllowed");
            assertThat(gateway().getStatus().getAttachedListenerSets()).isZero();
            assertThat(condition(gateway().getStatus().getConditions(), "AttachedListenerSets").getReason())
                    .isEqualTo("ListenerSetsNotAllowed");
        });
        assertThat(get(port, "/hello").body()).contains("\"pod\":\"pod-a\"");
    }

    @Test
    void aBackendTlsPolicyIsReadWithTheConfigMapItNamesAndItsAncestorStatusIsWritten() throws Exception {
        apply(resources(port, podA.address().getPort()) + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: BackendTLSPolicy
                metadata: {name: echo-tls, namespace: default}
                spec:
                  targetRefs: [{group: "", kind: Service, name: echo, sectionName: http}]
                  validation:
                    caCertificateRefs: [{group: "", kind: ConfigMap, name: echo-ca}]
                    hostname: echo.example.com
                """);
        add(new Replica(api, settings(), "127.0.0.1"));

        // the CA is not there yet: the policy cannot be used and its backend answers 500
        eventually().untilAsserted(() -> assertThat(get("127.0.0.1", "/hello").statusCode()).isEqualTo(500));
        eventually().untilAsserted(() -> {
            BackendTLSPolicy p = api.resources(BackendTLSPolicy.class).inNamespace("default").withName("echo-tls").get();
            assertThat(p.getStatus().getAncestors()).singleElement().satisfies(a -> {
                assertThat(a.getControllerName()).isEqualTo(CONTROLLER);
                assertThat(a.getAncestorRef().getName()).isEqualTo("edge");
                Condition accepted = condition(a.getConditions(), "Accepted");
                assertThat(accepted.getReason()).isEqualTo("NoValidCACertificate");
                assertThat(condition(a.getConditions(), "ResolvedRefs").getReason()).isEqualTo("InvalidCACertificateRef");
            });
        });

        // the ConfigMap appears: the policy is accepted, and the plaintext pod fails the TLS handshake (502)
        api.resource("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: echo-ca, namespace: default}\n"
                + "data:\n  ca.crt: |\n" + CA_PEM.indent(4)).create();
        eventually().untilAsserted(() -> {
            HttpResponse<String> r = get("127.0.0.1", "/hello");
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.body()).contains("TLS handshake failed");
        });
        eventually().untilAsserted(() -> {
            BackendTLSPolicy p = api.resources(BackendTLSPolicy.class).inNamespace("default").withName("echo-tls").get();
            assertCondition(p.getStatus().getAncestors().get(0).getConditions(), "Accepted", "True",
                    p.getMetadata().getGeneration());
        });
    }

    @Test
    void notReadyEndpointsGetNoTrafficAndServingTerminatingOnesOnlyWhenNoneIsReady() throws Exception {
        apply(resources(port, podA.address().getPort()));
        add(new Replica(api, settings(), "127.0.0.1"));
        assertThat(get("127.0.0.1", "/hello").body()).contains("\"pod\":\"pod-a\"");

        // pod-a is terminating but still serving, pod-b (another slice) is ready: pod-b takes all new requests
        edit(api, EndpointSlice.class, "echo-1", s -> {
            s.getEndpoints().get(0).getConditions().setReady(false);
            s.getEndpoints().get(0).getConditions().setServing(true);
            s.getEndpoints().get(0).getConditions().setTerminating(true);
            return s;
        });
        apply(slice("echo-2", "127.0.0.1", podB.address().getPort(), true));
        eventually().untilAsserted(() -> {
            for (int i = 0; i < 4; i++) {
                assertThat(get("127.0.0.1", "/hello").body()).contains("\"pod\":\"pod-b\"");
            }
        });

        // pod-b goes away: the serving, terminating pod-a still answers rather than nobody
        api.resources(EndpointSlice.class).inNamespace("default").withName("echo-2").delete();
        eventually().until(() -> get("127.0.0.1", "/hello").body().contains("\"pod\":\"pod-a\""));

        // and once pod-a stops serving, nothing is left: 503
        edit(api, EndpointSlice.class, "echo-1", s -> {
            s.getEndpoints().get(0).getConditions().setServing(false);
            return s;
        });
        eventually().until(() -> get("127.0.0.1", "/hello").statusCode() == 503);
    }

    @Test
    void aPortBoundOnARetryTurnsItsListenerProgrammed() throws Exception {
        ServerSocket taken = add(new ServerSocket());
        taken.bind(new InetSocketAddress("127.0.0.1", port));
        apply(resources(port, podA.address().getPort()));
        add(new Replica(api, settings(), "127.0.0.1"));
        eventually().untilAsserted(() -> {
            Condition programmed = condition(gateway().getStatus().getListeners().get(0).getConditions(), "Programmed");
            assertThat(programmed.getStatus()).isEqualTo("False");
            assertThat(programmed.getMessage()).contains("Address already in use");
        });

        taken.close(); // no reload happens: the server's bind retry alone changes what is served
        eventually().untilAsserted(() -> assertCondition(gateway().getStatus().getListeners().get(0)
                .getConditions(), "Programmed", "True", 1L));
        assertThat(get("127.0.0.1", "/hello").statusCode()).isEqualTo(200);
    }

    @Test
    void aGatewaysAddressesAreThoseOfTheReadySchedulableNodes() throws Exception {
        apply(node("node-1", "10.0.0.1", true, false) + "\n---\n" + node("node-2", "10.0.0.2", false, false)
                + "\n---\n" + node("node-3", "10.0.0.3", true, true) + "\n---\n" + resources(port, podA.address().getPort()));
        add(new Replica(api, settings().withGatewayAddresses(KubernetesSettings.GatewayAddresses.nodes()), "127.0.0.1"));
        eventually().untilAsserted(() -> assertThat(gateway().getStatus().getAddresses())
                .extracting(a -> a.getType() + " " + a.getValue()).containsExactly("IPAddress 10.0.0.1"));

        // node-2 becomes Ready: no Gateway API object changed, the addresses follow the Nodes
        api.nodes().withName("node-2").editStatus(n -> {
            n.getStatus().getConditions().get(0).setStatus("True");
            return n;
        });
        eventually().untilAsserted(() -> assertThat(gateway().getStatus().getAddresses())
                .extracting(a -> a.getValue()).containsExactly("10.0.0.1", "10.0.0.2"));
    }

    static String node(String name, String internalIp, boolean ready, boolean cordoned) {
        return """
                apiVersion: v1
                kind: Node
                metadata: {name: %s}
                spec: {unschedulable: %s}
                status:
                  conditions: [{type: Ready, status: "%s"}]
                  addresses: [{type: InternalIP, address: %s}, {type: ExternalIP, address: 198.51.100.9}]
                """.formatted(name, cordoned, ready ? "True" : "False", internalIp);
    }

    @Test
    void otherControllersParentStatusesAreLeftAlone() throws Exception {
        apply(resources(port, podA.address().getPort()));
        RouteParentStatus theirs = new RouteParentStatus(List.of(new ConditionBuilder().withType("Accepted")
                .withStatus("False").withReason("NotAllowedByListeners").withMessage("theirs")
                .withLastTransitionTime("2026-01-01T00:00:00Z").withObservedGeneration(1L).build()),
                "example.com/other-controller", new ParentReferenceBuilder().withName("other-gateway").build());
        HTTPRoute route = route();
        route.setStatus(new HTTPRouteStatus(List.of(theirs)));
        api.resource(route).updateStatus();

        add(new Replica(api, settings(), "127.0.0.1"));

        eventually().untilAsserted(() -> assertThat(route().getStatus().getParents())
                .extracting(RouteParentStatus::getControllerName)
                .containsExactly("example.com/other-controller", CONTROLLER));
        assertThat(route().getStatus().getParents().get(0)).isEqualTo(theirs);

        // the route leaves our Gateway: our entry goes, theirs stays
        edit(api, HTTPRoute.class, "echo", r -> {
            r.getSpec().setParentRefs(List.of(new ParentReferenceBuilder().withName("other-gateway").build()));
            return r;
        });
        eventually().untilAsserted(() -> assertThat(route().getStatus().getParents()).containsExactly(theirs));
    }

    @Test
    void aBurstOfUpdatesCompilesAHandfulOfSnapshots() throws Exception {
        apply(resources(port, podA.address().getPort()));
        Replica replica = add(new Replica(api, settings(), "127.0.0.1"));
        int before = replica.applied.get();

        int updates = 1_000; // the burst
        long started = System.nanoTime();
        for (int i = 1; i <= updates; i++) {
            String prefix = "/v" + i;
            edit(api, HTTPRoute.class, "echo", r -> {
                r.getSpec().getRules().get(0).setMatches(List.of(new io.fabric8.kubernetes.api.model.gatewayapi.v1
                        .HTTPRouteMatchBuilder().withNewPath().withType("PathPrefix").withValue(prefix).endPath()
                        .build()));
                return r;
            });
        }
        double burstSeconds = (System.nanoTime() - started) / 1e9;
        eventually().until(() -> get("127.0.0.1", "/v" + updates + "/x").statusCode() == 200);
        Thread.sleep(500); // a trailing compile would show up here
        int compiles = replica.applied.get() - before;
        // one per debounce window (150 ms quiet, at most 1 s) while the burst lasts, and a last one: a handful
        // however many updates come (the burst's length is the API's pace on this machine, not ours). On a loaded
        // machine the test's own edit loop stalls past the 150 ms quiet time now and then, which rightly compiles
        // early: up to three per second of burst is still coalescing (at load 25 here: 87 in a 36 s burst); one per
        // update (1,000) is what this guards, and a tenth of that is the ceiling however slow the machine is.
        assertThat(compiles).as("compiles for %d updates in %.1f s", updates, burstSeconds)
                .isBetween(1, (int) Math.min(Math.ceil(3 * burstSeconds) + 3, updates / 10));
    }

    @Test
    void aKindWhoseCrdAppearsLaterIsPickedUp() throws Exception {
        MockCluster bare = add(new MockCluster().withGatewayApi()); // no gatehouse.dev CRDs yet
        KubernetesClient api2 = bare.client;
        String yaml = resources(port, podA.address().getPort());
        for (String doc : yaml.split("\n---\n")) {
            api2.resource(doc).create();
        }
        add(new Replica(api2, settings().withCrdRecheck(Duration.ofMillis(300)), "127.0.0.1"));
        assertThat(get("127.0.0.1", "/hello").statusCode()).isEqualTo(200);

        try (var in = java.nio.file.Files.newInputStream(MockCluster.OUR_CRDS.resolve(
                "gatehouse.dev_requestterminations.yaml"))) {
            api2.apiextensions().v1().customResourceDefinitions().resource(
                    api2.apiextensions().v1().customResourceDefinitions().load(in).item()).create();
        }
        api2.resource("""
                apiVersion: gatehouse.dev/v1alpha1
                kind: RequestTermination
                metadata: {name: closed, namespace: default}
                spec: {statusCode: 418, body: closed}
                """).create();
        edit(api2, HTTPRoute.class, "echo", r -> {
            r.getSpec().getRules().get(0).setFilters(List.of(new io.fabric8.kubernetes.api.model.gatewayapi.v1
                    .HTTPRouteFilterBuilder().withType("ExtensionRef").withNewExtensionRef().withGroup("gatehouse.dev")
                    .withKind("RequestTermination").withName("closed").endExtensionRef().build()));
            return r;
        });
        eventually().until(() -> get("127.0.0.1", "/hello").statusCode() == 418);
    }

    /** A test CA's certificate (P-256, valid until 2126): any PEM CA will do for a policy to be accepted. */
    static final String CA_PEM = """
            -----BEGIN CERTIFICATE-----
            MIIBkDCCATWgAwIBAgIUe+N/3kxSAd87xrdUTJ/n3C6vYrkwCgYIKoZIzj0EAwIw
            HDEaMBgGA1UEAwwRZ2F0ZWhvdXNlIHRlc3QgQ0EwIBcNMjYxMjA3MDEyODAxWhgP
            MjEyNjExMTMwMTI4MDFaMBwxGjAYBgNVBAMMEWdhdGVob3VzZSB0ZXN0IENBMFkw
            EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEc8jBw8kYVrNvQHVpmgMKroNmaz7hjDn+
            Lf/LxOj7kL10E5DIu2kBVaapz6rsr7AP8cLqEKRy4PfBHjW1nxfi8aNTMFEwHQYD
            VR0OBBYEFKTtTYZRaVxQtAMUogx4WOGFY4InMB8GA1UdIwQYMBaAFKTtTYZRaVxQ
            tAMUogx4WOGFY4InMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIh
            APe/xTLfwEvW68ovgQarI+2dZklVctinwTXDBts9E9dlAiEA2Rc7zzwaq8/MrKp7
            tw7i1usv8Rb8PNY7Ps4seeiA90o=
            -----END CERTIFICATE-----
            """;

    /**
     * Waits for a condition, generously (a busy machine): a status not written yet reads as null, so exceptions
     * count as "not yet" too.
     */
    static ConditionFactory eventually() {
        return await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions();
    }

    static KubernetesSettings settings() {
        return KubernetesSettings.defaults(CONTROLLER)
                .withLeaderElection("default", Duration.ofSeconds(2))
                .withGatewayAddresses(KubernetesSettings.GatewayAddresses.parse("203.0.113.7"));
    }

    static String resources(int port, int backendPort) {
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
                  - {name: web, protocol: HTTP, port: %1$d}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: echo, namespace: default}
                spec:
                  ports: [{name: http, port: 80}]
                ---
                %2$s
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: echo, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                  - backendRefs: [{name: echo, port: 80}]
                """.formatted(port, slice("echo-1", "127.0.0.1", backendPort, true));
    }

    static String slice(String name, String address, int port, boolean ready) {
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s
                  namespace: default
                  labels: {kubernetes.io/service-name: echo}
                addressType: IPv4
                ports: [{name: http, port: %d}]
                endpoints:
                - addresses: ["%s"]
                  conditions: {ready: %s, serving: %4$s, terminating: false}
                """.formatted(name, port, address, ready);
    }

    void apply(String yaml) {
        for (String doc : yaml.split("\n---\n")) {
            api.resource(doc).create();
        }
    }

    /**
     * As any client must: a status write between our read and our write is a conflict (fabric8's edit sends the
     * resourceVersion it read), so read again and retry.
     */
    static <T extends HasMetadata> void edit(KubernetesClient api, Class<T> type, String name, UnaryOperator<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                api.resources(type).inNamespace("default").withName(name).edit(change);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 50) {
                    throw e;
                }
            }
        }
    }

    Gateway gateway() {
        return api.resources(Gateway.class).inNamespace("default").withName("edge").get();
    }

    HTTPRoute route() {
        return api.resources(HTTPRoute.class).inNamespace("default").withName("echo").get();
    }

    static Condition condition(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> c.getType().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " in " + conditions));
    }

    static void assertCondition(List<Condition> conditions, String type, String status, Long generation) {
        Condition c = condition(conditions, type);
        assertThat(c.getStatus()).as(type + ": " + c.getMessage()).isEqualTo(status);
        assertThat(c.getObservedGeneration()).as(type + " observedGeneration").isEqualTo(generation);
        assertThat(c.getLastTransitionTime()).isNotBlank();
    }

    /** A gRPC call's request line and content type, over HTTP/1.1: enough to show what routes it. */
    HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("content-type", "application/grpc").POST(HttpRequest.BodyPublishers.ofString("")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String host, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(int toPort, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + toPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    ListenerSet listenerSet() {
        return api.resources(ListenerSet.class).inNamespace("default").withName("team").get();
    }

    <T extends AutoCloseable> T add(T closeable) {
        open.add(closeable);
        return closeable;
    }

    static int freePort() throws Exception {
        return dev.gatehouse.testing.FreePorts.tcp();
    }
}
