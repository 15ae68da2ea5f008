package dev.gatehouse.app.admin;

import dev.gatehouse.translate.Translation;
import dev.gatehouse.translate.Translator;
import dev.gatehouse.translate.TranslatorOptions;
import dev.gatehouse.translate.YamlResourceLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The snapshot copies a route's rules into every more specific virtual host it also covers; the route view
 * must show the hostnames the route was written with, not every host it was copied into.
 */
class RouteTableReportTest {
    static List<String> narrowest(String... hosts) {
        return RouteTableReport.narrowest(new LinkedHashSet<>(List.of(hosts)));
    }

    @Test
    void aCatchAllRouteCopiedIntoSpecificHostsShowsAsStar() {
        assertThat(narrowest("echo.example.com", "*.example.com", "*")).containsExactly("*");
    }

    @Test
    void aWildcardSwallowsTheNamesItCoversButNotItsApex() {
        assertThat(narrowest("a.example.com", "*.example.com", "example.com"))
                .containsExactly("*.example.com", "example.com");
        assertThat(narrowest("x.a.example.com", "*.a.example.com", "*.example.com")).containsExactly("*.example.com");
    }

    @Test
    void unrelatedNamesAllStay() {
        assertThat(narrowest("a.com", "b.com")).containsExactly("a.com", "b.com");
    }

    @Test
    void l4ListenersListTheirRoutesWithSniNamesAndWeightedBackends() throws Exception {
        YamlResourceLoader.Result loaded = new YamlResourceLoader().load(Path.of("src/test/resources/explain/l4-udp.yaml"));
        Translation t = new Translator(TranslatorOptions.defaults()).translate(loaded.resources(), 1);
        RouteTableReport report = RouteTableReport.of(t);
        RouteTableReport.ListenerView tls = report.listeners().stream().filter(l -> l.name().equals("tls")).findFirst()
                .orElseThrow();
        assertThat(tls.protocol()).isEqualTo("TLS");
        assertThat(tls.routes()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo("TLSRoute");
            assertThat(r.route()).isEqualTo("infra/exact");
            assertThat(r.hostnames()).containsExactly("abc.example.com");
            assertThat(r.rules()).singleElement().satisfies(rule ->
                    assertThat(rule.backends()).extracting(RouteTableReport.BackendView::cluster)
                            .containsExactly("infra/v1:8080"));
            assertThat(r.conditions()).anySatisfy(c -> assertThat(c.type()).isEqualTo("Accepted"));
        });
        RouteTableReport.ListenerView udp = report.listeners().stream().filter(l -> l.name().equals("dns")).findFirst()
                .orElseThrow();
        assertThat(udp.port()).isEqualTo(9053);
        assertThat(udp.routes()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo("UDPRoute");
            assertThat(r.hostnames()).isEmpty();
            assertThat(r.rules().get(0).backends()).extracting(RouteTableReport.BackendView::weight).containsExactly(3, 1);
            assertThat(r.rules().get(0).backends().get(1).invalidReason()).isEqualTo("Service infra/missing does not exist");
            assertThat(r.problems()).isNotEmpty();
        });
    }
}
