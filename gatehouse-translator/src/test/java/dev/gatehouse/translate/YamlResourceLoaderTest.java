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
    void readsYamlFilesOfADirectoryAndItsSubfoldersInPathOrderWithEmptyDocumentsAndDefaultNamespace() throws IOException {
        write("b.yml", "---\n---\n" + ROUTE.replace("name: r", "name: second").replace("  namespace: infra\n", ""));
        write("a.yaml", ROUTE.replace("name: r", "name: first"));
        write("c.txt", ROUTE.replace("name: r", "name: ignored"));
        write(".swap.yaml", ROUTE.replace("name: r", "name: hidden"));
        Files.createDirectories(dir.resolve("sub/deeper"));
        write("sub/d.yaml", ROUTE.replace("name: r", "name: nested"));
        write("sub/deeper/e.yaml", ROUTE.replace("name: r", "name: deeper"));
        Files.createDirectories(dir.resolve(".git"));
        write(".git/f.yaml", ROUTE.replace("name: r", "name: in-hidden-folder"));

        YamlResourceLoader.Result result = loader.load(dir);

        assertThat(result.diagnostics()).isEmpty();
        List<ResourceSet.Entry> entries = result.resources().entries();
        assertThat(entries).extracting(e -> e.object().getMetadata().getName(), e -> e.object().getMetadata().getNamespace(),
                        ResourceSet.Entry::document)
                .containsExactly(tuple("first", "infra", 1), tuple("second", "default", 2), tuple("nested", "infra", 1),
                        tuple("deeper", "infra", 1));
        assertThat(entries.get(0).object()).isInstanceOf(HTTPRoute.class);
    }

    /** A ConfigMap volume: the files live in a timestamped hidden folder behind ..data, linked from the top. */
    @Test
    void aConfigMapVolumeIsReadThroughItsTopLevelLinksOnce() throws IOException {
        Path real = Files.createDirectories(dir.resolve("..2026_12_06_22_00_00.000000001"));
        Files.writeString(real.resolve("routes.yaml"), ROUTE);
        Files.createSymbolicLink(dir.resolve("..data"), real.getFileName());
        Files.createSymbolicLink(dir.resolve("routes.yaml"), Path.of("..data/routes.yaml"));
        Files.createSymbolicLink(dir.resolve("loop"), Path.of("."));

        YamlResourceLoader.Result result = loader.load(dir);

        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.resources().entries()).singleElement()
                .satisfies(e -> assertThat(e.file()).isEqualTo(dir.resolve("routes.yaml").toString()));
    }

    @Test
    void aListStandsForItsItems() throws IOException {
        write("export.yaml", """
                apiVersion: v1
                kind: List
                metadata: {resourceVersion: ""}
                items:
                - apiVersion: gateway.networking.k8s.io/v1
                  kind: HTTPRoute
                  metadata: {name: a, namespace: infra}
                  spec: {parentRefs: [{name: gw}]}
                - apiVersion: v1
                  kind: Service
                  metadata: {name: s}
                  spec: {ports: [{port: 80}]}
                - apiVersion: v1
                  kind: Service
                  metadata: {name: broken}
                  spec: {ports: [{port: eighty}]}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRouteList
                items:
                - metadata: {name: b, namespace: infra}
                  spec: {parentRefs: [{name: gw}]}
                """);

        YamlResourceLoader.Result result = loader.load(dir);

        assertThat(result.resources().entries()).extracting(e -> e.object().getKind() + " " + e.object().getMetadata().getName(),
                ResourceSet.Entry::document).containsExactly(tuple("HTTPRoute a", 1), tuple("Service s", 1), tuple("HTTPRoute b", 2));
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.resource()).isEqualTo("Service default/broken");
            assertThat(d.field()).isEqualTo("items[2].spec.ports[0].port");
        });
    }

    @Test
    void aResourceDefinedTwiceIsAnErrorNamingBothFiles() throws IOException {
        Path first = write("a.yaml", ROUTE);
        Files.createDirectories(dir.resolve("team"));
        Path second = write("team/b.yaml", "---\n" + ROUTE.replace("[{name: gw}]", "[{name: other}]"));
        write("c.yaml", ROUTE.replace("namespace: infra", "namespace: apps"));

        YamlResourceLoader.Result result = loader.load(dir);

        assertThat(result.hasErrors()).isTrue();
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.resource()).isEqualTo("HTTPRoute infra/r");
            assertThat(d.message()).isEqualTo("defined twice: in " + first + " (document 1) and in " + second
                    + " (document 1); keep one");
        });
    }

    @Test
    void eachIgnoredResourceAndEachResourceWithAnotherGatewaysAnnotationsGetsAWarning() throws IOException {
        Path file = write("kong.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: kong, namespace: kong}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: echo}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata:
                  name: r
                  namespace: infra
                  annotations:
                    konghq.com/strip-path: "true"
                    konghq.com/plugins: rate-limit
                    kubectl.kubernetes.io/last-applied-configuration: "{}"
                spec:
                  parentRefs: [{name: gw}]
                """);

        YamlResourceLoader.Result result = loader.load(file);

        assertThat(result.hasErrors()).isFalse();
        assertThat(result.diagnostics()).extracting(Diagnostic::file, Diagnostic::document, Diagnostic::resource,
                Diagnostic::message).containsExactly(
                tuple(file.toString(), 1, "Deployment kong/kong", "kind Deployment (apps/v1) is not read by gatehouse; ignored"),
                tuple(file.toString(), 2, "Deployment default/echo", "kind Deployment (apps/v1) is not read by gatehouse; ignored"),
                tuple(file.toString(), 3, "HTTPRoute infra/r",
                        "Kong annotations konghq.com/plugins, konghq.com/strip-path mean nothing to gatehouse; ignored"));
        assertThat(result.resources().entries()).hasSize(1);
    }

    @Test
    void unsupportedKindsWarnPerObjectAndOldApiVersionsUseTheirClasses() throws IOException {
        Path file = write("mixed.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: a}
                ---
                apiVersion: apps/v1
                kind: Deployment
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
                .containsExactly(tuple(Diagnostic.Severity.WARNING, 1), tuple(Diagnostic.Severity.WARNING, 2));
        assertThat(result.resources().entries()).singleElement().satisfies(e -> assertThat(e.object())
                .isInstanceOf(io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant.class));
    }

    @Test
    void configMapsAndBackendTlsPoliciesOfEachVersionLoad() throws IOException {
        Path file = write("backend-tls.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: ca, namespace: apps}
                data:
                  ca.crt: |
                    -----BEGIN CERTIFICATE-----
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: BackendTLSPolicy
                metadata: {name: p1, namespace: apps}
                spec:
                  targetRefs: [{group: "", kind: Service, name: web, sectionName: https}]
                  validation: {caCertificateRefs: [{group: "", kind: ConfigMap, name: ca}], hostname: web.example.com}
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha3
                kind: BackendTLSPolicy
                metadata: {name: p2, namespace: apps}
                spec:
                  targetRefs: [{group: "", kind: Service, name: api}]
                  validation: {wellKnownCACertificates: System, hostname: api.example.com}
                """);

        YamlResourceLoader.Result result = loader.load(file);

        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.resources().entries()).extracting(e -> (Object) e.object().getClass()).containsExactly(
                io.fabric8.kubernetes.api.model.ConfigMap.class,
                io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy.class,
                io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.BackendTLSPolicy.class);
    }

    @Test
    void aFileWhoseBytesAreUnchangedKeepsItsObjectsAndAChangedOneIsParsedAgain() throws IOException {
        write("a.yaml", ROUTE.replace("name: r", "name: kept"));
        write("b.yaml", ROUTE.replace("name: r", "name: changed"));
        write("c.yaml", "kind: Service\nmetadata: {name: [unclosed\n");
        YamlResourceLoader.Result first = loader.load(dir);

        write("b.yaml", ROUTE.replace("name: r", "name: changed").replace("name: gw", "name: gw2"));
        YamlResourceLoader.Result second = loader.load(dir);

        // the same instances for the unchanged file: the translator's per-object memo holds for them
        assertThat(second.resources().entries().get(0).object()).isSameAs(first.resources().entries().get(0).object());
        assertThat(second.resources().entries().get(1).object()).isNotSameAs(first.resources().entries().get(1).object());
        assertThat(((HTTPRoute) second.resources().entries().get(1).object()).getSpec().getParentRefs().get(0).getName())
                .isEqualTo("gw2");
        // an unchanged broken file is still reported, and the whole result is what a fresh loader reads
        assertThat(second.diagnostics()).isEqualTo(new YamlResourceLoader().load(dir).diagnostics()).hasSize(1);

        // what crosses files is checked on every load: b.yaml now defines a.yaml's route again
        write("b.yaml", ROUTE.replace("name: r", "name: kept"));
        YamlResourceLoader.Result third = loader.load(dir);
        assertThat(third.diagnostics()).isEqualTo(new YamlResourceLoader().load(dir).diagnostics());
        assertThat(third.diagnostics()).anySatisfy(d -> assertThat(d.message()).startsWith("defined twice: in "));
        assertThat(third.resources().entries()).singleElement()
                .satisfies(e -> assertThat(e.object()).isSameAs(first.resources().entries().get(0).object()));
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
