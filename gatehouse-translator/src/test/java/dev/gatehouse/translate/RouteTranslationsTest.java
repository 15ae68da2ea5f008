package dev.gatehouse.translate;

import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.SnapshotPrinter;
import dev.gatehouse.ir.VirtualHostSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A route whose object and everything its own translation reads are the same instances is not translated again
 * ({@link RouteTranslations}), and that is exactly what a fresh translator gives: for every golden input with one
 * route changed, added, removed or replaced by an equal copy, with any other object (a Service, a ReferenceGrant, a
 * policy, a Namespace, a Secret...) removed or replaced by a copy, and with a route and the slices changed together.
 */
class RouteTranslationsTest {
    @Test
    void everyGoldenInputWithOneThingChangedTranslatesAsFromScratch() throws IOException {
        long kept = 0;
        int cases = 0;
        for (Path input : goldenInputs()) {
            List<ResourceSet.Entry> entries = load(input);
            List<ResourceSet.Entry> copies = load(input); // the same content, other instances
            Translator warm = new Translator(TranslatorOptions.defaults());
            warm.translate(new ResourceSet(entries), 1);
            for (UnaryOperator<List<ResourceSet.Entry>> change : changes(entries, copies)) {
                assertSameAsFresh(warm, change.apply(entries), 2, input);
                // and back (what the next change starts from): the changed set's routes are what is kept now
                assertSameAsFresh(warm, entries, 3, input);
                cases++;
            }
            kept += warm.routeTranslations.kept.get();
        }
        assertThat(cases).as("changes tried").isGreaterThan(1000);
        assertThat(kept).as("routes kept rather than translated").isGreaterThan(1000);
    }

    @Test
    void aRouteChangeKeepsEveryOtherRoutesRulesAndTranslatesOnlyThatRoute() throws IOException {
        List<ResourceSet.Entry> entries = EndpointRefreshTest.scaleLike();
        Translator warm = new Translator(TranslatorOptions.defaults());
        Translation before = warm.translate(new ResourceSet(entries), 1);
        List<ResourceSet.Entry> changed = replace(entries, o -> o instanceof HTTPRoute r && r.getMetadata().getName().equals("r2")
                ? new HTTPRouteBuilder(r).editSpec().editFirstRule().editFirstBackendRef().withName("s3").endBackendRef()
                        .endRule().endSpec().build() : o);
        Translation after = warm.translate(new ResourceSet(changed), 2);

        assertThat(print(after)).isEqualTo(print(new Translator(TranslatorOptions.defaults())
                .translate(new ResourceSet(changed), 2)));
        assertThat(warm.routeTranslations.kept.get()).isEqualTo(3);
        Map<String, HttpRuleSpec> was = rulesByRoute(before);
        rulesByRoute(after).forEach((route, rule) -> {
            if (route.equals("r2")) {
                assertThat(rule).isNotSameAs(was.get(route));
            } else {
                assertThat(rule).as(route).isSameAs(was.get(route));
            }
        });
    }

    /** A v1beta1 HTTPRoute is kept too: the memo knows it by the source's object, not the v1 copy made of it. */
    @Test
    void aV1beta1RouteIsKeptLikeAV1One() throws IOException {
        List<ResourceSet.Entry> entries = replace(EndpointRefreshTest.scaleLike(), o -> o instanceof HTTPRoute r
                && r.getMetadata().getName().equals("r1") ? new io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.HTTPRoute(
                        "gateway.networking.k8s.io/v1beta1", "HTTPRoute", r.getMetadata(), r.getSpec(), r.getStatus()) : o);
        Translator warm = new Translator(TranslatorOptions.defaults());
        Translation before = warm.translate(new ResourceSet(entries), 1);
        List<ResourceSet.Entry> changed = replace(entries, o -> o instanceof HTTPRoute r && r.getMetadata().getName().equals("r2")
                ? new HTTPRouteBuilder(r).editSpec().addToHostnames("changed.example.com").endSpec().build() : o);
        Translation after = warm.translate(new ResourceSet(changed), 2);

        assertThat(print(after)).isEqualTo(print(new Translator(TranslatorOptions.defaults())
                .translate(new ResourceSet(changed), 2)));
        assertThat(warm.routeTranslations.kept.get()).as("r1 (v1beta1), r3 and r4 kept").isEqualTo(3);
        assertThat(rulesByRoute(after).get("r1")).isSameAs(rulesByRoute(before).get("r1"));
    }

    /** The changes tried on one input: each is a function of its entries. */
    private static List<UnaryOperator<List<ResourceSet.Entry>>> changes(List<ResourceSet.Entry> entries,
                                                                        List<ResourceSet.Entry> copies) {
        List<UnaryOperator<List<ResourceSet.Entry>>> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            int at = i;
            HasMetadata o = entries.get(i).object();
            // every object removed; a route replaced by an equal copy (a new instance: an informer's update)
            out.add(es -> without(es, at));
            if (o instanceof HTTPRoute || o instanceof GRPCRoute) {
                out.add(es -> with(es, at, copies.get(at).object()));
            }
            if (o instanceof HTTPRoute r) {
                out.add(es -> with(es, at, changed(r)));
                out.add(es -> withAdded(es, at, new HTTPRouteBuilder(r).editMetadata()
                        .withName(r.getMetadata().getName() + "-added").endMetadata().build()));
                out.add(es -> slicesMoved(with(es, at, changed(r))));
            } else if (o instanceof GRPCRoute g) {
                out.add(es -> with(es, at, new GRPCRouteBuilder(g).editSpec().addToHostnames("changed.example.com")
                        .endSpec().build()));
                out.add(es -> withAdded(es, at, new GRPCRouteBuilder(g).editMetadata()
                        .withName(g.getMetadata().getName() + "-added").endMetadata().build()));
            }
        }
        out.add(RouteTranslationsTest::slicesMoved);
        return out;
    }

    /** A route with another hostname and, where it has one, its first backendRef on another port. */
    private static HTTPRoute changed(HTTPRoute r) {
        HTTPRouteBuilder b = new HTTPRouteBuilder(r).editSpec().addToHostnames("changed.example.com").endSpec();
        if (r.getSpec().getRules() != null && !r.getSpec().getRules().isEmpty()
                && r.getSpec().getRules().get(0).getBackendRefs() != null
                && !r.getSpec().getRules().get(0).getBackendRefs().isEmpty()) {
            Integer port = r.getSpec().getRules().get(0).getBackendRefs().get(0).getPort();
            b = b.editSpec().editFirstRule().editFirstBackendRef().withPort(port == null ? 8080 : port + 1)
                    .endBackendRef().endRule().endSpec();
        }
        return b.build();
    }

    private static void assertSameAsFresh(Translator warm, List<ResourceSet.Entry> entries, long generation,
                                          Path input) {
        ResourceSet set = new ResourceSet(entries);
        assertThat(print(warm.translate(set, generation))).as("%s", input.getFileName())
                .isEqualTo(print(new Translator(TranslatorOptions.defaults()).translate(set, generation)));
    }

    private static List<ResourceSet.Entry> without(List<ResourceSet.Entry> entries, int at) {
        List<ResourceSet.Entry> out = new ArrayList<>(entries);
        out.remove(at);
        return out;
    }

    private static List<ResourceSet.Entry> with(List<ResourceSet.Entry> entries, int at, HasMetadata object) {
        List<ResourceSet.Entry> out = new ArrayList<>(entries);
        out.set(at, new ResourceSet.Entry(object, entries.get(at).file(), entries.get(at).document()));
        return out;
    }

    private static List<ResourceSet.Entry> withAdded(List<ResourceSet.Entry> entries, int at, HasMetadata object) {
        List<ResourceSet.Entry> out = new ArrayList<>(entries);
        out.add(new ResourceSet.Entry(object, entries.get(at).file(), 0));
        return out;
    }

    private static List<ResourceSet.Entry> replace(List<ResourceSet.Entry> entries, UnaryOperator<HasMetadata> change) {
        List<ResourceSet.Entry> out = new ArrayList<>(entries.size());
        for (ResourceSet.Entry e : entries) {
            HasMetadata o = change.apply(e.object());
            out.add(o == e.object() ? e : new ResourceSet.Entry(o, e.file(), e.document()));
        }
        return out;
    }

    /** Every slice's endpoints on other addresses (a rollout), with whatever else changed. */
    private static List<ResourceSet.Entry> slicesMoved(List<ResourceSet.Entry> entries) {
        return replace(entries, o -> o instanceof EndpointSlice s && s.getEndpoints() != null
                ? new EndpointSliceBuilder(s).withEndpoints(s.getEndpoints().stream()
                        .map(e -> new EndpointBuilder(e).withAddresses("10.77.0.9").build()).toList()).build()
                : o);
    }

    /** Each route's (of one rule and match) IR rule, by route name, as the listeners serve it. */
    private static Map<String, HttpRuleSpec> rulesByRoute(Translation t) {
        Map<String, HttpRuleSpec> out = new java.util.TreeMap<>();
        Map<HttpRuleSpec, Boolean> seen = new IdentityHashMap<>();
        t.snapshot().ports().forEach(p -> p.listeners().forEach(l -> {
            for (VirtualHostSpec vh : l.virtualHosts()) {
                vh.rules().forEach(r -> {
                    if (seen.put(r, true) == null) {
                        out.put(r.route().name(), r);
                    }
                });
            }
        }));
        assertThat(out).hasSize(4);
        return out;
    }

    private static List<ResourceSet.Entry> load(Path input) throws IOException {
        return new YamlResourceLoader().load(input).resources().entries();
    }

    private static List<Path> goldenInputs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/golden"))) {
            return s.filter(p -> p.toString().endsWith(".in.yaml")).sorted().toList();
        }
    }

    private static String print(Translation t) {
        return SnapshotPrinter.print(List.of(t.diagnostics(), t.statuses(), t.snapshot()));
    }
}
