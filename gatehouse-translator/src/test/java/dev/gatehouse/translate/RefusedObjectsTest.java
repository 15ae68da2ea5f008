package dev.gatehouse.translate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An object the validation refuses: a file refuses the whole config; controller mode leaves that one object out,
 * serves the rest and reports it in the object's status.
 */
class RefusedObjectsTest {
    private static final String CONFIG = """
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
              listeners: [{name: web, port: 8080, protocol: HTTP}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: good, namespace: default}
            spec:
              parentRefs: [{name: edge}]
              hostnames: [good.example.com]
              rules: [{backendRefs: [{name: good, port: 80}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: bad, namespace: default}
            spec:
              parentRefs: [{name: edge, sectionName: web}]
              hostnames: [bad.example.com]
              rules:
              - matches: [{path: {type: PathPrefix, value: /x/..}}]
                backendRefs: [{name: bad, port: 80}]
            ---
            apiVersion: gatehouse.dev/v1alpha1
            kind: ClientTrafficPolicy
            metadata: {name: slow, namespace: default}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: edge}]
              timeouts: {requestHeader: 10 seconds}
            """;

    @TempDir
    Path dir;

    @Test
    void aFileWithARefusedObjectIsRefusedWhole() throws IOException {
        Translation t = translate(TranslatorOptions.defaults());
        assertThat(t.hasErrors()).isTrue();
        assertThat(t.snapshot().ports()).isEmpty();
    }

    @Test
    void controllerModeLeavesOutOnlyTheRefusedObjectsAndSaysSoInTheirStatus() throws IOException {
        Translation t = translate(TranslatorOptions.defaults().leavingOutRefused());
        assertThat(t.hasErrors()).as("%s", t.diagnostics()).isFalse();
        assertThat(t.snapshot().ports()).hasSize(1);
        assertThat(t.snapshot().ports().get(0).listeners().get(0).virtualHosts())
                .extracting(dev.gatehouse.ir.VirtualHostSpec::hostname).containsExactly("good.example.com");
        assertThat(t.snapshot().ports().get(0).clientTraffic()).isIn(null, dev.gatehouse.ir.ClientTrafficSpec.DEFAULTS);

        ResourceStatus route = status(t, "HTTPRoute", "bad");
        assertThat(route.parents()).singleElement().satisfies(p -> {
            assertThat(p.parentRef()).isEqualTo("Gateway default/edge/web");
            assertThat(p.conditions()).singleElement().satisfies(c -> {
                assertThat(c.type()).isEqualTo("Accepted");
                assertThat(c.status()).isEqualTo("False");
                assertThat(c.reason()).isEqualTo("UnsupportedValue");
                assertThat(c.message()).startsWith("spec.rules[0].matches[0].path.value: must not end with '/..'");
            });
        });
        ResourceStatus policy = status(t, "ClientTrafficPolicy", "slow");
        assertThat(policy.parents()).singleElement().satisfies(p -> {
            assertThat(p.parentRef()).isEqualTo("Gateway default/edge");
            assertThat(p.conditions()).singleElement().satisfies(c -> {
                assertThat(c.reason()).isEqualTo("Invalid");
                assertThat(c.message()).startsWith("spec.timeouts.requestHeader: must be a Gateway API duration");
            });
        });
        assertThat(status(t, "HTTPRoute", "good").parents().get(0).conditions())
                .anyMatch(c -> c.type().equals("Accepted") && c.status().equals("True"));
        assertThat(t.diagnostics()).filteredOn(d -> d.message().startsWith(Translation.LEFT_OUT))
                .extracting(Diagnostic::resource)
                .containsExactlyInAnyOrder("HTTPRoute default/bad", "ClientTrafficPolicy default/slow");
    }

    private static ResourceStatus status(Translation t, String kind, String name) {
        return t.statuses().stream().filter(s -> s.kind().equals(kind) && s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no status for " + kind + " " + name + ": " + t.statuses()));
    }

    private Translation translate(TranslatorOptions options) throws IOException {
        Files.writeString(dir.resolve("config.yaml"), CONFIG);
        YamlResourceLoader.Result loaded = new YamlResourceLoader().load(dir);
        assertThat(loaded.diagnostics()).isEmpty();
        return new Translator(options).translate(loaded.resources(), 1);
    }
}
