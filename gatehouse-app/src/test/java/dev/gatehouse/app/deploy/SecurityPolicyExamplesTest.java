package dev.gatehouse.app.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.translate.ResourceStatus;
import dev.gatehouse.translate.Translation;
import dev.gatehouse.translate.Translator;
import dev.gatehouse.translate.TranslatorOptions;
import dev.gatehouse.translate.YamlResourceLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * examples/auth: its SecurityPolicies pass our CRD's schema (deploy/crds, as the API server would check them) and
 * the whole example translates with every policy Accepted and no diagnostic, so what a user copies works in both
 * modes.
 */
final class SecurityPolicyExamplesTest {
    private static final Path EXAMPLE = Renderings.DEPLOY.resolveSibling("examples").resolve("auth");

    @Test
    void thePoliciesPassTheCrdSchemaAndItsTyposAreRefused() throws Exception {
        List<JsonNode> policies = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLE)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) { // as the gateway reads
                Renderings.parse(Files.readString(f)).stream()
                        .filter(o -> o.path("kind").asText().equals("SecurityPolicy")).forEach(policies::add);
            }
        }
        assertEquals(5, policies.size());
        assertEquals(List.of(), new ObjectSchemas().violations(policies));
        String found = String.join("\n", new ObjectSchemas().violations(Renderings.parse("""
                apiVersion: gatehouse.dev/v1alpha1
                kind: SecurityPolicy
                metadata: {name: bad, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: api}]
                  apiKeyAuth: {credentialRefs: [{name: k}], extractfrom: [{headers: [x-api-key]}]}
                  authorization: {defaultAction: Maybe}
                """)));
        assertTrue(found.contains(".spec.apiKeyAuth.extractfrom: unknown field"), found);
        assertTrue(found.contains(".spec.authorization.defaultAction: \"Maybe\" is not one of"), found);
    }

    @Test
    void theExampleTranslatesWithEveryPolicyAccepted() throws Exception {
        YamlResourceLoader.Result loaded = new YamlResourceLoader().load(EXAMPLE);
        Translation t = new Translator(TranslatorOptions.defaults()).translate(loaded.resources(), 1);
        assertEquals(List.of(), loaded.diagnostics());
        assertEquals(List.of(), t.diagnostics());
        List<ResourceStatus> policies = t.statuses().stream().filter(s -> s.kind().equals("SecurityPolicy")).toList();
        assertEquals(5, policies.size());
        for (ResourceStatus s : policies) {
            assertEquals("Accepted/True", s.parents().get(0).conditions().get(0).type() + "/"
                    + s.parents().get(0).conditions().get(0).status(), s.resource());
        }
    }
}
