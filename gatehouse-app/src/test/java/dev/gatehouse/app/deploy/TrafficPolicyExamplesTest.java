package dev.gatehouse.app.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.ResourceStatus;
import dev.gatehouse.translate.Translation;
import dev.gatehouse.translate.Translator;
import dev.gatehouse.translate.TranslatorOptions;
import dev.gatehouse.translate.YamlResourceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * examples/backend-traffic-policy*.yaml pass our CRD's schema (deploy/crds, as the API server would check them) and,
 * beside the Gateway and route they name, the translator accepts every policy in them: the examples a user copies
 * work in both modes.
 */
final class TrafficPolicyExamplesTest {
    private static final String FIXTURE = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: gatehouse}
            spec: {controllerName: gatehouse.dev/gateway-controller}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: eg, namespace: default}
            spec:
              gatewayClassName: gatehouse
              listeners: [{name: http, port: 8080, protocol: HTTP}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: backend, namespace: default}
            spec:
              parentRefs: [{name: eg}]
              rules: [{name: rule-1, backendRefs: [{name: backend, port: 3000}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: inventory, namespace: default}
            spec:
              parentRefs: [{name: eg}]
              hostnames: [inventory.example.com]
              rules: [{backendRefs: [{name: backend, port: 3000}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: orders, namespace: default}
            spec:
              parentRefs: [{name: eg}]
              hostnames: [orders.example.com]
              rules: [{backendRefs: [{name: backend, port: 3000}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: payments, namespace: default, labels: {app: payment-service}}
            spec:
              parentRefs: [{name: eg}]
              hostnames: [pay.example.com]
              rules: [{backendRefs: [{name: backend, port: 3000}]}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: backend, namespace: default}
            spec: {ports: [{port: 3000}]}
            """;

    private static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(Renderings.DEPLOY.resolveSibling("examples"))) {
            return files.filter(p -> p.getFileName().toString().matches("backend-traffic-policy.*\\.yaml")).sorted()
                    .toList();
        }
    }

    @Test
    void theExamplesPassTheCrdSchema() throws Exception {
        List<JsonNode> objects = new ArrayList<>();
        for (Path f : examples()) {
            objects.addAll(Renderings.parse(Files.readString(f)));
        }
        assertTrue(objects.size() == 11, "policies in " + examples());
        assertEquals(List.of(), new ObjectSchemas().violations(objects));
    }

    @Test
    void theCrdSchemaRefusesEnvoyGatewaysMisspellingAndWrongTypes() throws Exception {
        List<JsonNode> bad = Renderings.parse("""
                apiVersion: gatehouse.dev/v1alpha1
                kind: BackendTrafficPolicy
                metadata: {name: bad, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: backend}]
                  loadBalancer: {type: Fastest}
                  healthCheck: {passive: {consecutive5xxErrors: 3}, panicThreshold: 101}
                  timeout: {tcp: {connectTimeout: 1.5s}}
                """);
        String found = String.join("\n", new ObjectSchemas().violations(bad));
        assertTrue(found.contains(".spec.loadBalancer.type: \"Fastest\" is not one of"), found);
        assertTrue(found.contains(".spec.healthCheck.passive.consecutive5xxErrors: unknown field"), found);
        assertTrue(found.contains(".spec.healthCheck.panicThreshold"), found);
        assertTrue(found.contains(".spec.timeout.tcp.connectTimeout: '1.5s' does not match"), found);
    }

    @Test
    void theCrdSchemaChecksRateLimitRules() throws Exception {
        List<JsonNode> bad = Renderings.parse("""
                apiVersion: gatehouse.dev/v1alpha1
                kind: BackendTrafficPolicy
                metadata: {name: bad, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: backend}]
                  rateLimit:
                    local:
                      rules:
                      - limit: {requests: 10, unit: Fortnight}
                      - clientSelectors: [{headers: [{name: x-user, type: Sometimes}]}]
                        limit: {requests: -1, unit: Second}
                    global: {}
                """);
        String found = String.join("\n", new ObjectSchemas().violations(bad));
        assertTrue(found.contains(".spec.rateLimit.local.rules[0].limit.unit: \"Fortnight\" is not one of"), found);
        assertTrue(found.contains(".spec.rateLimit.local.rules[1].clientSelectors[0].headers[0].type"), found);
        assertTrue(found.contains(".spec.rateLimit.local.rules[1].limit.requests"), found);
        assertTrue(found.contains(".spec.rateLimit.global: required field rules is missing"), found);
    }

    @Test
    void theTranslatorAcceptsEveryExamplePolicy(@TempDir Path dir) throws Exception {
        for (Path f : examples()) {
            Files.copy(f, dir.resolve(f.getFileName()));
        }
        Files.writeString(dir.resolve("fixture.yaml"), FIXTURE);
        YamlResourceLoader.Result loaded = new YamlResourceLoader().load(dir);
        Translation t = new Translator(TranslatorOptions.defaults()).translate(loaded.resources(), 1);
        List<Diagnostic> diagnostics = new ArrayList<>(loaded.diagnostics());
        diagnostics.addAll(t.diagnostics());
        assertEquals(List.of(), diagnostics.stream().filter(d -> d.resource() != null
                && d.resource().startsWith("BackendTrafficPolicy")).map(Diagnostic::describe).toList());
        List<ResourceStatus> policies = t.statuses().stream().filter(s -> s.kind().equals("BackendTrafficPolicy"))
                .toList();
        assertEquals(9, policies.size());
        for (ResourceStatus s : policies) {
            assertTrue(!s.parents().isEmpty(), s.resource() + " has no ancestor");
            for (ResourceStatus.ParentStatus p : s.parents()) {
                Condition accepted = p.conditions().get(0);
                assertEquals("Accepted/True", accepted.type() + "/" + accepted.status(), s.resource() + " " + p);
            }
        }
    }
}
