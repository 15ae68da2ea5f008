package dev.gatehouse.translate;

import dev.gatehouse.ir.SnapshotPrinter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A translator keeps per-object results for the next translation of the same objects (controller mode hands over
 * the informers' unchanged instances). That must be invisible: a warm translator gives what a fresh one gives, for
 * the same set and for a changed one.
 */
class IncrementalTranslationTest {
    @TempDir
    Path dir;

    @Test
    void aWarmTranslatorGivesWhatAFreshOneGives() throws IOException {
        List<Path> inputs;
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/golden"))) {
            inputs = s.filter(p -> p.toString().endsWith(".in.yaml")).sorted().toList();
        }
        Translator warm = new Translator(TranslatorOptions.defaults());
        for (Path input : inputs) {
            ResourceSet resources = new YamlResourceLoader().load(input).resources();
            warm.translate(resources, 1);
            // every object is the same instance: all of it from the memo
            assertThat(print(warm.translate(resources, 2)))
                    .as("%s", input.getFileName())
                    .isEqualTo(print(new Translator(TranslatorOptions.defaults()).translate(resources, 2)));
        }
    }

    @Test
    void aChangedSetTranslatesAsFromScratch() throws IOException {
        Files.writeString(dir.resolve("config.yaml"), config());
        List<ResourceSet.Entry> entries = new ArrayList<>(new YamlResourceLoader().load(dir).resources().entries());
        Translator warm = new Translator(TranslatorOptions.defaults());
        warm.translate(new ResourceSet(entries), 1);

        // as an informer hands them over: changed objects are new instances, the others the same ones
        for (int i = 0; i < entries.size(); i++) {
            HasMetadata o = entries.get(i).object();
            if (o instanceof HTTPRoute r && r.getMetadata().getName().equals("r1")) {
                entries.set(i, entry(new HTTPRouteBuilder(r).editSpec().editFirstRule().editFirstBackendRef()
                        .withName("s2").endBackendRef().endRule().endSpec().build(), entries.get(i)));
            } else if (o instanceof EndpointSlice s && s.getMetadata().getName().equals("s0-1")) {
                entries.set(i, entry(new EndpointSliceBuilder(s).editFirstEndpoint()
                        .withAddresses("10.0.9.9").endEndpoint().build(), entries.get(i)));
            }
        }
        entries.removeIf(e -> e.object().getMetadata().getName().equals("r3"));
        ResourceSet changed = new ResourceSet(entries);

        Translation incremental = warm.translate(changed, 2);
        Translation fresh = new Translator(TranslatorOptions.defaults()).translate(changed, 2);
        assertThat(incremental).isEqualTo(fresh);
        assertThat(print(incremental)).isEqualTo(print(fresh)).contains("10.0.9.9").doesNotContain("r3");
    }

    @Test
    void anUnchangedObjectWithErrorsIsReportedWhereItIsNow() throws IOException {
        Files.writeString(dir.resolve("config.yaml"), config().replace("hostnames: [r2.example.com]",
                "hostnames: [\"R2_.example.com\"]"));
        List<ResourceSet.Entry> entries = new ArrayList<>(new YamlResourceLoader().load(dir).resources().entries());
        Translator warm = new Translator(TranslatorOptions.defaults());
        assertThat(warm.translate(new ResourceSet(entries), 1).hasErrors()).isTrue();

        // the same object, moved in its file (a document inserted above it)
        entries.replaceAll(e -> new ResourceSet.Entry(e.object(), e.file(), e.document() + 1));
        Translation incremental = warm.translate(new ResourceSet(entries), 2);
        assertThat(incremental).isEqualTo(new Translator(TranslatorOptions.defaults()).translate(new ResourceSet(entries), 2));
        assertThat(incremental.diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.document()).isEqualTo(11 + 1));
    }

    @Test
    void aFolderReadAgainAfterOneFileChangedTranslatesAsFromScratch() throws IOException {
        // standalone mode's reload: the same loader reads the folder again, the unchanged file's objects are the
        // same instances (all from the memo), the changed file's new ones
        String[] documents = config().split("(?m)^---\n");
        int half = documents.length / 2;
        Files.writeString(dir.resolve("a.yaml"), String.join("---\n", List.of(documents).subList(0, half)));
        Files.writeString(dir.resolve("b.yaml"), String.join("---\n", List.of(documents).subList(half, documents.length)));
        YamlResourceLoader loader = new YamlResourceLoader();
        Translator warm = new Translator(TranslatorOptions.defaults());
        warm.translate(loader.load(dir).resources(), 1);

        Files.writeString(dir.resolve("b.yaml"), Files.readString(dir.resolve("b.yaml"))
                .replace("10.0.0.3", "10.0.9.9").replace("r3.example.com", "r3b.example.com"));
        Translation incremental = warm.translate(loader.load(dir).resources(), 2);
        Translation fresh = new Translator(TranslatorOptions.defaults())
                .translate(new YamlResourceLoader().load(dir).resources(), 2);
        assertThat(incremental).isEqualTo(fresh);
        assertThat(print(incremental)).isEqualTo(print(fresh)).contains("10.0.9.9", "r3b.example.com");
    }

    private static ResourceSet.Entry entry(HasMetadata object, ResourceSet.Entry was) {
        return new ResourceSet.Entry(object, was.file(), was.document());
    }

    /** A Gateway, Services with one slice each, routes to them; r2 has a field error (a warning, not rejected). */
    static String config() {
        StringBuilder b = new StringBuilder("""
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
                  - {name: web, protocol: HTTP, port: 8080}
                """);
        for (int i = 0; i < 4; i++) {
            b.append("""
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata: {name: s%1$d, namespace: default}
                    spec:
                      ports: [{name: http, port: 80}]
                    ---
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      name: s%1$d-1
                      namespace: default
                      labels: {kubernetes.io/service-name: s%1$d}
                    addressType: IPv4
                    ports: [{name: http, port: 9000}]
                    endpoints:
                    - addresses: ["10.0.0.%1$d"]
                      conditions: {ready: true}
                    - addresses: ["10.0.1.%1$d"]
                      conditions: {ready: false, serving: true, terminating: true}
                    ---
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: HTTPRoute
                    metadata: {name: r%1$d, namespace: default}
                    spec:
                      parentRefs: [{name: edge}]
                      hostnames: [r%1$d.example.com]
                      rules:
                      - backendRefs: [{name: s%1$d, port: %2$d}]
                    """.formatted(i, i == 2 ? 81 : 80));
        }
        return b.toString();
    }

    private static String print(Translation t) {
        return SnapshotPrinter.print(List.of(t.diagnostics(), t.statuses(), t.snapshot()));
    }
}
