package dev.gatehouse.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes Gateway API configs for the tests, atomically (temp file + rename) as tools and editors do. */
final class Configs {
    private Configs() {
    }

    static String base(int listenerPort) {
        return gateway("  - {name: web, protocol: HTTP, port: %d}\n".formatted(listenerPort));
    }

    /** Our GatewayClass and Gateway default/edge with these listeners (YAML list items, each line indented 2). */
    static String gateway(String listeners) {
        return """
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
                """ + listeners;
    }

    /** A Service "name" with port 80 served by one endpoint 127.0.0.1:port. */
    static String service(String name, int port) {
        return service(name, port, null);
    }

    /** The same, its port with an appProtocol ({@code kubernetes.io/h2c}...) unless null. */
    static String service(String name, int port, String appProtocol) {
        return """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: default}
                spec:
                  ports: [{name: http, port: 80%3$s}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %1$s-1
                  namespace: default
                  labels: {kubernetes.io/service-name: %1$s}
                addressType: IPv4
                ports: [{name: http, port: %2$d}]
                endpoints:
                - addresses: ["127.0.0.1"]
                """.formatted(name, port, appProtocol == null ? "" : ", appProtocol: " + appProtocol);
    }

    /** A Service "name" with port 80 served by endpoints 127.0.0.1 to 127.0.0.{count}, all on one port. */
    static String serviceOnLoopbacks(String name, int port, int count) {
        StringBuilder endpoints = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            endpoints.append("- addresses: [\"127.0.0.").append(i).append("\"]\n");
        }
        return service(name, port).replace("- addresses: [\"127.0.0.1\"]\n", endpoints.toString());
    }

    /** An HTTPRoute sending PathPrefix "/" (any host) to a Service, adding a request header. */
    static String route(String service, String headerValue) {
        return route(service, headerValue, "*");
    }

    /** The same for one hostname only ("*" for any), so that other hosts get a 404 on the listener. */
    static String route(String service, String headerValue, String hostname) {
        return """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: all, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                """ + (hostname.equals("*") ? "" : "  hostnames: [" + hostname + "]\n") + """
                  rules:
                  - filters:
                    - type: RequestHeaderModifier
                      requestHeaderModifier:
                        set: [{name: X-Config-Version, value: "%s"}]
                    backendRefs: [{name: %s, port: 80}]
                """.formatted(headerValue, service);
    }

    static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
