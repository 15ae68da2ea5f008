package dev.gatehouse.jmh;

import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import dev.gatehouse.translate.Translation;
import dev.gatehouse.translate.Translator;
import dev.gatehouse.translate.TranslatorOptions;
import dev.gatehouse.translate.YamlResourceLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A standalone config as a multi-tenant cluster has it, compiled the way the gateway compiles it (YAML, translator,
 * snapshot compiler), so the router measured is the one users get. Routes come in fours per tenant hostname:
 * {@code PathPrefix /api} with a header match, {@code PathPrefix /api}, {@code Exact /healthz} and
 * {@code PathPrefix /static}; every tenth tenant is a wildcard hostname.
 */
public final class MultiTenantConfig {
    public static final int PORT = 8080;
    public static final int ROUTES_PER_HOST = 4;

    private MultiTenantConfig() {
    }

    /** The hostname of tenant {@code t} as a request names it (a wildcard tenant is asked through one subdomain). */
    public static String requestHost(int tenant) {
        return tenant % 10 == 9 ? "www.tenant" + tenant + ".example.com" : "app.tenant" + tenant + ".example.com";
    }

    public static int tenants(int routes) {
        return Math.max(1, routes / ROUTES_PER_HOST);
    }

    public static HttpPortRouter router(int routes) {
        return snapshot(routes).httpRouter(PORT);
    }

    /** The whole compiled config, for what binds to a snapshot (the metrics). */
    public static RuntimeSnapshot snapshot(int routes) {
        Path dir;
        try {
            dir = Files.createTempDirectory("gatehouse-jmh");
            Path file = dir.resolve("config.yaml");
            Files.writeString(file, yaml(routes));
            YamlResourceLoader.Result loaded = new YamlResourceLoader().load(file);
            if (loaded.hasErrors()) {
                throw new IllegalStateException("benchmark config does not load: " + loaded.diagnostics());
            }
            Translation translation = new Translator(TranslatorOptions.defaults()).translate(loaded.resources(), 1);
            if (translation.hasErrors()) {
                throw new IllegalStateException("benchmark config does not translate: " + translation.diagnostics());
            }
            RuntimeSnapshot snapshot = new SnapshotCompiler().compile(translation.snapshot(), null);
            Files.delete(file);
            Files.delete(dir);
            return snapshot;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String yaml(int routes) {
        StringBuilder y = new StringBuilder(routes * 400 + 2048);
        y.append("""
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
                  - {name: web, protocol: HTTP, port: %d, allowedRoutes: {namespaces: {from: Same}}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: app, namespace: default}
                spec: {ports: [{name: http, port: 80, targetPort: 3001}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: app-1, namespace: default, labels: {kubernetes.io/service-name: app}}
                addressType: IPv4
                ports: [{name: http, port: 3001, protocol: TCP}]
                endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
                """.formatted(PORT));
        for (int i = 0; i < routes; i++) {
            int tenant = i / ROUTES_PER_HOST;
            String hostname = tenant % 10 == 9 ? "*.tenant" + tenant + ".example.com" : "app.tenant" + tenant + ".example.com";
            String match = switch (i % ROUTES_PER_HOST) {
                case 0 -> "{path: {type: PathPrefix, value: /api}, headers: [{name: x-canary, value: \"true\"}]}";
                case 1 -> "{path: {type: PathPrefix, value: /api}}";
                case 2 -> "{path: {type: Exact, value: /healthz}}";
                default -> "{path: {type: PathPrefix, value: /static}}";
            };
            y.append("---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r").append(i)
                    .append(", namespace: default}\nspec:\n  parentRefs: [{name: edge}]\n  hostnames: [\"")
                    .append(hostname).append("\"]\n  rules:\n  - matches: [").append(match)
                    .append("]\n    backendRefs: [{name: app, port: 80}]\n");
        }
        return y.toString();
    }
}
