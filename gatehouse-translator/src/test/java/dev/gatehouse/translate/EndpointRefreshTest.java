package dev.gatehouse.translate;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.SnapshotPrinter;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A set that differs from the last translated one only in its EndpointSlices gets the last translation with the
 * endpoint lists recomputed ({@link EndpointRefresh}), and that is exactly what a fresh translator gives for the
 * same set: for every golden input, with its slices' endpoints changed, emptied, or joined by a new slice.
 */
class EndpointRefreshTest {
    private static final List<UnaryOperator<List<ResourceSet.Entry>>> SLICE_CHANGES = List.of(
            entries -> eachSlice(entries, s -> new EndpointSliceBuilder(s).withEndpoints(moved(s.getEndpoints())).build()),
            entries -> eachSlice(entries, s -> new EndpointSliceBuilder(s).withEndpoints(List.of()).build()),
            entries -> eachSlice(entries, s -> new EndpointSliceBuilder(s).withEndpoints(notReady(s.getEndpoints())).build()),
            EndpointRefreshTest::withSecondSlices);

    @Test
    void everyGoldenInputWithItsSlicesChangedTranslatesAsFromScratch() throws IOException {
        int refreshed = 0;
        for (Path input : goldenInputs()) {
            List<ResourceSet.Entry> entries = new YamlResourceLoader().load(input).resources().entries();
            for (UnaryOperator<List<ResourceSet.Entry>> change : SLICE_CHANGES) {
                Translator warm = new Translator(TranslatorOptions.defaults());
                Translation before = warm.translate(new ResourceSet(entries), 1);
                ResourceSet changed = new ResourceSet(change.apply(entries));
                long refreshes = warm.endpointRefreshes.get();
                Translation incremental = warm.translate(changed, 2);
                Translation fresh = new Translator(TranslatorOptions.defaults()).translate(changed, 2);
                assertThat(print(incremental)).as("%s", input.getFileName()).isEqualTo(print(fresh));
                // (printed: a health check's expected bytes are an array, which a record compares by identity)
                if (!before.hasErrors() && !fresh.hasErrors()) {
                    assertThat(warm.endpointRefreshes.get()).as("%s: refreshed", input.getFileName())
                            .isEqualTo(refreshes + 1);
                    refreshed++;
                }
            }
        }
        assertThat(refreshed).as("golden inputs refreshed").isGreaterThan(100);
    }

    @Test
    void anUnchangedClusterIsTheSameInstanceAndAChangedOneHasTheNewEndpoints() throws IOException {
        List<ResourceSet.Entry> entries = scaleLike();
        Translator warm = new Translator(TranslatorOptions.defaults());
        Translation before = warm.translate(new ResourceSet(entries), 1);
        List<ResourceSet.Entry> changed = replaceSlice(entries, "s1-1",
                s -> new EndpointSliceBuilder(s).editFirstEndpoint().withAddresses("10.0.9.9").endEndpoint().build());
        Translation after = warm.translate(new ResourceSet(changed), 2);

        assertThat(warm.endpointRefreshes.get()).isEqualTo(1);
        assertThat(after).isEqualTo(new Translator(TranslatorOptions.defaults()).translate(new ResourceSet(changed), 2));
        assertThat(after.snapshot().ports()).isSameAs(before.snapshot().ports());
        assertThat(after.statuses()).isSameAs(before.statuses());
        for (int i = 0; i < after.snapshot().clusters().size(); i++) {
            ClusterSpec now = after.snapshot().clusters().get(i);
            if (now.name().equals("default/s1:80")) {
                assertThat(now.endpoints()).extracting(ClusterSpec.EndpointSpec::address).containsExactly("10.0.9.9");
            } else {
                assertThat(now).isSameAs(before.snapshot().clusters().get(i));
            }
        }
    }

    @Test
    void anyOtherChangeTranslatesInFull() throws IOException {
        List<ResourceSet.Entry> entries = scaleLike();
        Translator warm = new Translator(TranslatorOptions.defaults());
        warm.translate(new ResourceSet(entries), 1);
        List<ResourceSet.Entry> changed = new ArrayList<>(entries);
        for (int i = 0; i < changed.size(); i++) {
            if (changed.get(i).object() instanceof HTTPRoute r && r.getMetadata().getName().equals("r2")) {
                changed.set(i, new ResourceSet.Entry(new HTTPRouteBuilder(r).editSpec().editFirstRule()
                        .editFirstBackendRef().withName("s3").endBackendRef().endRule().endSpec().build(),
                        changed.get(i).file(), changed.get(i).document()));
            }
        }
        changed = replaceSlice(changed, "s3-1",
                s -> new EndpointSliceBuilder(s).editFirstEndpoint().withAddresses("10.0.9.9").endEndpoint().build());
        Translation after = warm.translate(new ResourceSet(changed), 2);
        // the same objects in another order, and one removed
        List<ResourceSet.Entry> reordered = reversed(changed);
        Translation again = warm.translate(new ResourceSet(reordered), 3);
        reordered.removeIf(e -> e.object().getMetadata().getName().equals("r0"));
        Translation removed = warm.translate(new ResourceSet(reordered), 4);

        assertThat(warm.endpointRefreshes.get()).isZero();
        assertThat(after).isEqualTo(new Translator(TranslatorOptions.defaults()).translate(new ResourceSet(changed), 2));
        assertThat(again).isEqualTo(new Translator(TranslatorOptions.defaults()).translate(new ResourceSet(reversed(changed)), 3));
        assertThat(removed).isEqualTo(new Translator(TranslatorOptions.defaults()).translate(new ResourceSet(reordered), 4));
        assertThat(print(after)).contains("10.0.9.9");
    }

    private static List<ResourceSet.Entry> reversed(List<ResourceSet.Entry> entries) {
        List<ResourceSet.Entry> out = new ArrayList<>(entries);
        java.util.Collections.reverse(out);
        return out;
    }

    private static List<Path> goldenInputs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/golden"))) {
            return s.filter(p -> p.toString().endsWith(".in.yaml")).sorted().toList();
        }
    }

    private static List<ResourceSet.Entry> eachSlice(List<ResourceSet.Entry> entries, UnaryOperator<EndpointSlice> change) {
        List<ResourceSet.Entry> out = new ArrayList<>(entries.size());
        for (ResourceSet.Entry e : entries) {
            out.add(e.object() instanceof EndpointSlice s ? new ResourceSet.Entry(change.apply(s), e.file(), e.document()) : e);
        }
        return out;
    }

    private static List<ResourceSet.Entry> replaceSlice(List<ResourceSet.Entry> entries, String name,
                                                        UnaryOperator<EndpointSlice> change) {
        return eachSlice(entries, s -> s.getMetadata().getName().equals(name) ? change.apply(s) : s);
    }

    /** Each slice's endpoints on other addresses: a rollout's new pods. */
    private static List<Endpoint> moved(List<Endpoint> endpoints) {
        List<Endpoint> out = new ArrayList<>();
        int n = 0;
        for (Endpoint e : endpoints == null ? List.<Endpoint>of() : endpoints) {
            n++;
            out.add(new EndpointBuilder(e).withAddresses("10.77.0." + n).build());
        }
        return out;
    }

    /** Every endpoint terminating but serving: the fallback list. */
    private static List<Endpoint> notReady(List<Endpoint> endpoints) {
        List<Endpoint> out = new ArrayList<>();
        for (Endpoint e : endpoints == null ? List.<Endpoint>of() : endpoints) {
            out.add(new EndpointBuilder(e).withNewConditions().withReady(false).withServing(true).withTerminating(true)
                    .endConditions().build());
        }
        return out;
    }

    /** A second slice for each Service that has one (more than a hundred pods), with one endpoint of its own. */
    private static List<ResourceSet.Entry> withSecondSlices(List<ResourceSet.Entry> entries) {
        List<ResourceSet.Entry> out = new ArrayList<>(entries);
        for (ResourceSet.Entry e : entries) {
            if (e.object() instanceof EndpointSlice s && s.getEndpoints() != null && !s.getEndpoints().isEmpty()) {
                out.add(new ResourceSet.Entry(new EndpointSliceBuilder(s).editMetadata()
                        .withName(s.getMetadata().getName() + "-second").endMetadata()
                        .withEndpoints(new EndpointBuilder(s.getEndpoints().get(0)).withAddresses("10.88.0.1").build())
                        .build(), e.file(), e.document()));
            }
        }
        return out;
    }

    /** {@link IncrementalTranslationTest}'s config: a Gateway, four Services with one slice each, a route to each. */
    static List<ResourceSet.Entry> scaleLike() throws IOException {
        Path dir = Files.createTempDirectory("endpoint-refresh");
        try {
            Files.writeString(dir.resolve("config.yaml"), IncrementalTranslationTest.config());
            return new YamlResourceLoader().load(dir).resources().entries();
        } finally {
            Files.delete(dir.resolve("config.yaml"));
            Files.delete(dir);
        }
    }

    private static String print(Translation t) {
        return SnapshotPrinter.print(List.of(t.diagnostics(), t.statuses(), t.snapshot()));
    }
}
