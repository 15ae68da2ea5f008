package dev.gatehouse.app.admin;

import org.junit.jupiter.api.Test;

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
}
