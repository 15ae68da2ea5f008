package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class YamlResourceLoaderTest {
    private static final String ROUTE = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata:
              name: r
              namespace: infra
            spec:
              parentRefs: [{name: gw}]
            """;

    @TempDir
    Path dir;

    private final YamlResourceLoader loader = new YamlResourceLoader();

    @Test
    void yamlSyntaxErrorNamesFileDocumentLineAndColumn() throws IOException {
        Path file = write("broken.yaml", ROUTE + "---\nkind: Service\nmetadata: {name: [unclosed\n");

        YamlResourceLoader.Result result = loader.load(file);

        assertThat(result.hasErrors()).isTrue();
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.severity()).isEqualTo(Diagnostic.Severity.ERROR);
            assertThat(d.file()).isEqualTo(file.toString());
            assertThat(d.document()).isEqualTo(2);
            assertThat(d.message()).contains("YAML syntax error at line 10, column");
        });
        assertThat(result.resources().entries()).hasSize(1);
    }

    @Test
    void wrongFieldTypeNamesResourceAndFieldPath() throws IOException {
        Path file = write("gw.yaml", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: infra}
                spec:
                  gatewayClassName: gatehouse
                  listeners:
                  - name: http
                    port: not-a-number
                    protocol: HTTP
                """);

        YamlResourceLoader.Result result = loader.load(file);

        assertThat(result.diagnostics()).extracting(Diagnostic::severity, Diagnostic::document, Diagnostic::resource,
                Diagnostic::field).containsExactly(tuple(Diagnostic.Severity.ERROR, 1, "Gateway infra/gw",
                "spec.listeners[0].port"));
        assertThat(result.diagnostics().get(0).describe()).startsWith(file + " (document 1): Gateway infra/gw: spec.listeners[0].port: ");
    }

    @Test
    void unknownFieldsAreErrorsWithTheirPath() throws IOException {
        Path file = write("route.yaml", "---\n" + ROUTE + """
                  rules:
                  - matchs: [{path: {value: /}}]
                    backendRefs:
                    - {name: v1, port: 8080, wieght: 2}
                """);

        YamlResourceLoader.Result result = loader.load(file);

        assertThat(result.diagnostics()).extracting(Diagnostic::severity, Diagnostic::document, Diagnostic::resource,
                        Diagnostic::field, Diagnostic::message)
                .containsExactly(
                        tuple(Diagnostic.Severity.ERROR, 1, "HTTPRoute infra/r", "spec.rules[0].backendRefs[0].wieght", "unknown field"),
                        tuple(Diagnostic.Severity.ERROR, 1, "HTTPRoute infra/r", "spec.rules[0].matchs", "unknown field"));
        assertThat(result.resources().entries()).isEmpty();
    }

    @Test
    void readsYamlFilesOfADirectoryInNameOrderWithEmptyDocumentsAndDefaultNamespace() throws IOException {
        write("b.yml", "---\n---\n" + ROUTE.replace("name: r", "name: second").replace("  namespace: infra\n", ""));
        write("a.yaml", ROUTE.replace("name: r", "name: first"));
        write("c.txt", ROUTE.replace("name: r", "name: ignored"));
        Files.createDirectories(dir.resolve("sub"));
        write("sub/d.yaml", ROUTE.replace("name: r", "name: nested"));

        YamlResourceLoader.Result result = loader.load(dir);

        assertThat(result.diagnostics()).isEmpty();
        List<ResourceSet.Entry> entries = result.resources().entries();
        assertThat(entries).extracting(e -> e.object().getMetadata().getName(), e -> e.object().getMetadata().getNamespace(),
                        ResourceSet.Entry::document)
                .containsExactly(tuple("first", "infra", 1), tuple("second", "default", 2));
        assertThat(entries.get(0).object()).isInstanceOf(HTTPRoute.class);
    }

    @Test
    void unsupportedKindsWarnOncePerKindAndOldApiVersionsUseTheirClasses() throws IOException {
        Path file = write("mixed.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: a}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: b}
                ---
                "apiVersion": "gateway.networking.k8s.io/v1beta1"
                "kind": "ReferenceGrant"
                metadata: {name: g, namespace: apps}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra}]
                  to: [{group: "", kind: Service}]
                """);

        YamlResourceLoader.Result result = loader.load(file);

        assertThat(result.diagnostics()).extracting(Diagnostic::severity, Diagnostic::document)
                .containsExactly(tuple(Diagnostic.Severity.WARNING, 1));
        assertThat(result.resources().entries()).singleElement().satisfies(e -> assertThat(e.object())
                .isInstanceOf(io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant.class));
    }

    @Test
    void missingFileIsAnError() {
        assertThat(loader.load(dir.resolve("nope.yaml")).hasErrors()).isTrue();
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
