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
    void anHttpRouteAndAGrpcRouteOfTheSameNameAreTwoRoutes() throws Exception {
        String yaml = """
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
                  listeners: [{name: web, protocol: HTTP, port: 8080}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: api, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: [web.example.com]
                  rules: [{matches: [{path: {type: PathPrefix, value: /web}}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: api, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: [grpc.example.com]
                  rules: [{matches: [{method: {service: echo.v1.Echo}}]}]
                """;
        java.nio.file.Path file = java.nio.file.Files.createTempFile("routes", ".yaml");
        try {
            java.nio.file.Files.writeString(file, yaml);
            var loaded = new dev.gatehouse.translate.YamlResourceLoader().load(file);
            var t = new dev.gatehouse.translate.Translator(dev.gatehouse.translate.TranslatorOptions.defaults())
                    .translate(loaded.resources(), 1);
            List<RouteTableReport.RouteView> routes = RouteTableReport.of(t).listeners().get(0).routes();
            assertThat(routes).extracting(RouteTableReport.RouteView::kind, RouteTableReport.RouteView::route,
                    r -> r.hostnames().get(0)).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("HTTPRoute", "default/api", "web.example.com"),
                    org.assertj.core.groups.Tuple.tuple("GRPCRoute", "default/api", "grpc.example.com"));
            assertThat(routes).allSatisfy(r -> assertThat(r.conditions()).isNotEmpty());
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void unrelatedNamesAllStay() {
        assertThat(narrowest("a.com", "b.com")).containsExactly("a.com", "b.com");
    }
}
