package dev.gatehouse.app.doctor;

import dev.gatehouse.translate.Translation;
import dev.gatehouse.translate.Translator;
import dev.gatehouse.translate.TranslatorOptions;
import dev.gatehouse.translate.YamlResourceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One test per check, each over real YAML through the real loader and translator. */
class ConfigDoctorTest {
    static final String GATEWAY = """
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
              - {name: web, protocol: HTTP, port: 8080, hostname: "*.example.com"}
            """;

    static String service(String name, String servicePort, String slicePort, String addresses) {
        return """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: default}
                spec:
                  ports: [%2$s]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %1$s-1
                  namespace: default
                  labels: {kubernetes.io/service-name: %1$s}
                addressType: IPv4
                ports: [%3$s]
                endpoints: [%4$s]
                """.formatted(name, servicePort, slicePort, addresses);
    }

    static final String SHOP = service("shop", "{name: http, port: 80, targetPort: 9000}", "{name: http, port: 9000}",
            "{addresses: [\"10.0.0.1\"]}");

    static String route(String name, String parentRef, String hostnames, String backend) {
        return """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: %s, namespace: default}
                spec:
                  parentRefs: [%s]
                  hostnames: %s
                  rules:
                  - backendRefs: [{name: %s, port: 80}]
                """.formatted(name, parentRef, hostnames, backend);
    }

    @TempDir
    Path dir;
    TranslatorOptions options = TranslatorOptions.defaults();

    List<Finding> doctor(String yaml, Instant now) throws Exception {
        Files.writeString(dir.resolve("config.yaml"), yaml);
        YamlResourceLoader.Result loaded = new YamlResourceLoader().load(dir);
        assertThat(loaded.hasErrors()).as(loaded.diagnostics().toString()).isFalse();
        Translation t = new Translator(options).translate(loaded.resources(), 1);
        assertThat(t.hasErrors()).as(t.diagnostics().toString()).isFalse();
        return new ConfigDoctor(loaded.resources(), t, now).check();
    }

    List<Finding> doctor(String yaml) throws Exception {
        return doctor(yaml, Instant.now());
    }

    @Test
    void aCleanConfigHasNoFindings() throws Exception {
        assertThat(doctor(GATEWAY + SHOP + route("shop", "{name: edge}", "[shop.example.com]", "shop"))).isEmpty();
    }

    @Test
    void aRouteNamingAMissingListenerIsAttachedToNothingAndTheFixNamesTheListeners() throws Exception {
        List<Finding> f = doctor(GATEWAY + SHOP + route("shop", "{name: edge, sectionName: https}", "[]", "shop"));
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(x.check()).isEqualTo("unattached-route");
            assertThat(x.resource()).isEqualTo("HTTPRoute default/shop");
            assertThat(x.what()).contains("Gateway default/edge/https", "NoMatchingParent", "listeners are: web");
            assertThat(x.fix()).contains("sectionName/port");
        });
    }

    @Test
    void aRouteNamingNoGatewayOfOursIsAttachedToNothing() throws Exception {
        List<Finding> f = doctor(GATEWAY + SHOP + route("shop", "{name: elsewhere}", "[]", "shop"));
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.check()).isEqualTo("unattached-route");
            assertThat(x.fix()).contains("default/edge");
        });
    }

    static String listenerSet(String namespace, String parent, String listeners) {
        return """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: ListenerSet
                metadata: {name: team, namespace: %s}
                spec:
                  parentRef: {name: %s, namespace: default}
                  listeners: %s
                """.formatted(namespace, parent, listeners);
    }

    @Test
    void aListenerSetItsGatewayDoesNotAllowIsNotAttachedAndTheFixIsAllowedListeners() throws Exception {
        List<Finding> f = doctor(GATEWAY + listenerSet("apps", "edge",
                "[{name: web, protocol: HTTP, port: 8080, hostname: team.example.org}]"));
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(x.check()).isEqualTo("listenerset-not-attached");
            assertThat(x.resource()).isEqualTo("ListenerSet apps/team");
            assertThat(x.what()).contains("NotAllowed");
            assertThat(x.fix()).startsWith("Gateway default/edge does not allow ListenerSets: set spec.allowedListeners");
        });
    }

    @Test
    void aListenerSetNamingNoGatewayAndAListenerSetListenerWithoutCertificateAreErrors() throws Exception {
        String open = GATEWAY.replace("  gatewayClassName: gatehouse\n",
                "  gatewayClassName: gatehouse\n  allowedListeners: {namespaces: {from: All}}\n");
        List<Finding> f = doctor(open + listenerSet("apps", "edge", "[{name: tls, protocol: HTTPS, port: 8443, "
                + "tls: {certificateRefs: [{name: missing}]}}]"));
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.check()).isEqualTo("listener-not-programmed");
            assertThat(x.resource()).isEqualTo("ListenerSet apps/team");
            assertThat(x.what()).contains("listener tls", "apps/missing");
        });
        assertThat(doctor(GATEWAY + listenerSet("apps", "nowhere", "[{name: web, protocol: HTTP, port: 8080}]")))
                .singleElement().satisfies(x -> {
                    assertThat(x.severity()).isEqualTo(Finding.Severity.ERROR);
                    assertThat(x.check()).isEqualTo("listenerset-not-attached");
                    assertThat(x.fix()).contains("default/edge");
                });
    }

    @Test
    void aRouteOfAListenerSetNamedLikeTheGatewayIsCheckedAgainstTheListenerSetsListeners() throws Exception {
        String open = GATEWAY.replace("  gatewayClassName: gatehouse\n",
                "  gatewayClassName: gatehouse\n  allowedListeners: {namespaces: {from: Same}}\n");
        String set = """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: ListenerSet
                metadata: {name: edge, namespace: default}
                spec:
                  parentRef: {name: edge}
                  listeners: [{name: team, protocol: HTTP, port: 8081, hostname: team.test}]
                """;
        assertThat(doctor(open + set + SHOP + route("shop", "{kind: ListenerSet, name: edge}", "[team.test]", "shop")))
                .isEmpty();
    }

    @Test
    void aGatewayClassControllerNameTypoIsTheFixNotTheParentRefs() throws Exception {
        String typo = GATEWAY.replace("controllerName: gatehouse.dev/gateway-controller", "controllerName: gatehouse.dev/gateway-controler");
        List<Finding> f = doctor(typo + SHOP + route("shop", "{name: edge}", "[]", "shop"));
        assertThat(f).extracting(Finding::check).containsExactly("gatewayclass-controller", "nothing-served", "unattached-route");
        assertThat(f.get(0).severity()).isEqualTo(Finding.Severity.ERROR);
        assertThat(f.get(0).resource()).isEqualTo("GatewayClass gatehouse");
        assertThat(f.get(0).what()).contains("controllerName gatehouse.dev/gateway-controler is not gatehouse's",
                "did you mean gatehouse.dev/gateway-controller?", "not served: Gateway default/edge");
        assertThat(f.get(0).fix()).isEqualTo("set spec.controllerName: gatehouse.dev/gateway-controller");
        assertThat(f.get(2).what()).contains("parent Gateway default/edge is of GatewayClass gatehouse");
        assertThat(f.get(2).fix()).isEqualTo("set GatewayClass gatehouse's spec.controllerName: gatehouse.dev/gateway-controller")
                .doesNotContain("parentRefs");
    }

    @Test
    void kongsControllerNameIsNamedAsKongs() throws Exception {
        String kong = GATEWAY.replace("controllerName: gatehouse.dev/gateway-controller", "controllerName: konghq.com/kic-gateway-controller");
        List<Finding> f = doctor(kong + SHOP + route("shop", "{name: edge}", "[]", "shop"));
        assertThat(f.get(0).what()).startsWith("controllerName konghq.com/kic-gateway-controller is Kong's controller name; "
                + "gatehouse serves GatewayClasses whose controllerName is gatehouse.dev/gateway-controller");
    }

    @Test
    void aGatewayOfAnUndefinedClassIsNotServed() throws Exception {
        String missing = GATEWAY.replace("gatewayClassName: gatehouse", "gatewayClassName: gatehuose");
        List<Finding> f = doctor(missing + SHOP + route("shop", "{name: edge}", "[]", "shop"));
        assertThat(f).extracting(Finding::check).containsExactly("gatewayclass-missing", "nothing-served", "unattached-route");
        assertThat(f.get(0).what()).isEqualTo("GatewayClass gatehuose is not defined, so the Gateway is not served");
        assertThat(f.get(0).fix()).contains("or set the Gateway's gatewayClassName to gatehouse");
    }

    @Test
    void aBackendWithNoReadyEndpointsIsAnError() throws Exception {
        String down = service("shop", "{name: http, port: 80}", "{name: http, port: 9000}",
                "{addresses: [\"10.0.0.1\"], conditions: {ready: false}}");
        List<Finding> f = doctor(GATEWAY + down + route("shop", "{name: edge}", "[]", "shop"));
        assertThat(f).extracting(Finding::check).containsExactly("no-ready-endpoints");
        assertThat(f.get(0).what()).contains("default/shop:80", "503");
        assertThat(f.get(0).resource()).isEqualTo("Service default/shop");
    }

    @Test
    void aMissingServiceIsAnUnresolvedBackend() throws Exception {
        List<Finding> f = doctor(GATEWAY + route("shop", "{name: edge}", "[]", "ghost"));
        assertThat(f).extracting(Finding::check).containsExactly("unresolved-backend");
        assertThat(f.get(0).what()).contains("BackendNotFound", "default/ghost");
    }

    @Test
    void aBackendTlsPolicyWithoutItsCaConfigMapSaysWhichConfigMapToCreate() throws Exception {
        List<Finding> f = doctor(GATEWAY + SHOP + route("shop", "{name: edge}", "[]", "shop") + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: BackendTLSPolicy
                metadata: {name: shop-tls, namespace: default}
                spec:
                  targetRefs: [{group: "", kind: Service, name: shop}]
                  validation:
                    caCertificateRefs: [{group: "", kind: ConfigMap, name: shop-ca}]
                    hostname: shop.example.com
                """);
        assertThat(f).extracting(Finding::check).containsExactly("unresolved-backend");
        assertThat(f.get(0).resource()).isEqualTo("BackendTLSPolicy default/shop-tls");
        assertThat(f.get(0).what()).contains("InvalidCACertificateRef", "ConfigMap default/shop-ca");
        assertThat(f.get(0).fix()).contains("ca.crt");
    }

    @Test
    void aServicePortNamedUnlikeAnySlicePortHasNoEndpoints() throws Exception {
        String misnamed = service("shop", "{name: http, port: 80, targetPort: 9000}", "{name: web, port: 9000}",
                "{addresses: [\"10.0.0.1\"]}");
        List<Finding> f = doctor(GATEWAY + misnamed + route("shop", "{name: edge}", "[]", "shop"));
        assertThat(f).extracting(Finding::check).contains("service-port-mismatch", "no-ready-endpoints");
        Finding mismatch = f.stream().filter(x -> x.check().equals("service-port-mismatch")).findFirst().orElseThrow();
        assertThat(mismatch.severity()).isEqualTo(Finding.Severity.ERROR);
        assertThat(mismatch.what()).contains("port 80 ('http')", "no EndpointSlice port named 'http'", "web=9000");
        assertThat(mismatch.fix()).contains("standalone mode");
    }

    @Test
    void aNumericTargetPortNoSlicePortEqualsIsAWarningNamingThePortUsed() throws Exception {
        String drift = service("shop", "{name: http, port: 80, targetPort: 8000}", "{name: http, port: 9000}",
                "{addresses: [\"10.0.0.1\"]}");
        List<Finding> f = doctor(GATEWAY + drift + route("shop", "{name: edge}", "[]", "shop"));
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.WARNING);
            assertThat(x.what()).contains("targetPort 8000", "slice port 9000");
            assertThat(x.fix()).contains("in standalone mode the slice port (9000) is what is used");
        });
    }

    @Test
    void listenersSharingAPortWithConflictingProtocolsAreAnError() throws Exception {
        String gateways = GATEWAY + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: raw, namespace: default}
                spec:
                  gatewayClassName: gatehouse
                  listeners:
                  - {name: tcp, protocol: TCP, port: 8080}
                """;
        List<Finding> f = doctor(gateways + SHOP + route("shop", "{name: edge}", "[shop.example.com]", "shop"));
        assertThat(f).filteredOn(x -> x.check().equals("listener-protocol-conflict")).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(x.what()).contains("port 8080", "Gateway default/edge listener web (HTTP)",
                    "Gateway default/raw listener tcp (TCP)");
        });
    }

    @Test
    void routeHostnamesNoListenerAcceptsAreWarnings() throws Exception {
        List<Finding> f = doctor(GATEWAY + SHOP
                + route("shop", "{name: edge}", "[shop.example.com, shop.example.org]", "shop"));
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.WARNING);
            assertThat(x.check()).isEqualTo("hostname-not-accepted");
            assertThat(x.what()).contains("shop.example.org", "*.example.com");
        });
    }

    @Test
    void certificatesWarnWithinThirtyDaysAndFailOnceExpired() throws Exception {
        String crt = Files.readString(Path.of("src/test/resources/doctor/tls.crt"));
        String key = Files.readString(Path.of("src/test/resources/doctor/tls.key"));
        Instant notAfter = ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(crt.getBytes(StandardCharsets.US_ASCII)))).getNotAfter().toInstant();
        String yaml = GATEWAY.replace("listeners:\n", """
                listeners:
                  - name: secure
                    protocol: HTTPS
                    port: 8443
                    tls: {certificateRefs: [{name: shop-tls}]}
                """.stripTrailing() + "\n") + SHOP + """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: shop-tls, namespace: default}
                type: kubernetes.io/tls
                data:
                  tls.crt: %s
                  tls.key: %s
                """.formatted(b64(crt), b64(key)) + route("shop", "{name: edge}", "[shop.example.com]", "shop");

        // certificates are checked on the listeners the snapshot serves
        assertThat(doctor(yaml, notAfter.minus(Duration.ofDays(100)))).isEmpty();
        assertThat(doctor(yaml, notAfter.minus(Duration.ofDays(10)))).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.WARNING);
            assertThat(x.resource()).isEqualTo("Secret default/shop-tls");
            assertThat(x.what()).contains("CN=shop.example.com", "in 10 days", "default/edge/secure");
        });
        assertThat(doctor(yaml, notAfter.plusSeconds(1))).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(x.what()).contains("expired");
        });
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void findingsPrintAsSeverityWhatArrowFixAndErrorsDecideTheExitCode() {
        Finding error = new Finding(Finding.Severity.ERROR, "c", "HTTPRoute default/a", "broken", "mend it");
        Finding warning = new Finding(Finding.Severity.WARNING, "c", "Service default/b", "odd", "look");
        assertThat(error.describe()).isEqualTo("error: HTTPRoute default/a: broken  ->  mend it");
        var out = new java.io.ByteArrayOutputStream();
        var print = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(FindingReport.print(print, "cfg", List.of(warning, error), List.of())).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("error: ").endsWith("cfg: 1 error(s), 1 warning(s)\n");
        assertThat(FindingReport.print(print, "cfg", List.of(warning), List.of())).isZero();
        assertThat(FindingReport.print(print, "cfg", List.of(), List.of())).isZero();
    }
}
