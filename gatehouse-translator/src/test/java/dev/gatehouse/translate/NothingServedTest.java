package dev.gatehouse.translate;

import dev.gatehouse.ir.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A config that would bind no port says so, with the reason, instead of translating to silence. */
class NothingServedTest {
    static final String CLASS = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: gatehouse}
            spec: {controllerName: %s}
            """;
    static final String GATEWAY = """
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: edge, namespace: default}
            spec:
              gatewayClassName: gatehouse
              listeners:
            %s
            """;

    @TempDir
    Path dir;

    @Test
    void anEmptyConfigServesNothing() throws IOException {
        assertThat(translate("", TranslatorOptions.defaults()).nothingServed())
                .isEqualTo("nothing is served: the config has no GatewayClass and no Gateway");
    }

    @Test
    void noGatewayClassOfOurs() throws IOException {
        Translation t = translate(CLASS.formatted("example.com/other")
                + GATEWAY.formatted("  - {name: web, port: 8443, protocol: HTTP}"), TranslatorOptions.defaults());
        assertThat(t.nothingServed()).isEqualTo("nothing is served: no GatewayClass has controllerName "
                + "gatehouse.dev/gateway-controller, so no Gateway is gatehouse's");
        assertThat(t.diagnostics()).extracting(Diagnostic::message).contains(t.nothingServed());
    }

    @Test
    void aGatewayOfOursWithOnlyAListenerTheDataPlaneDoesNotServe() throws IOException {
        // a data plane that serves HTTP only (HTTPS is served since TLS termination landed; the rule stays)
        Translation t = translate(CLASS.formatted(TranslatorOptions.DEFAULT_CONTROLLER_NAME)
                + GATEWAY.formatted(
                "  - {name: web, port: 8443, protocol: HTTPS, tls: {certificateRefs: [{name: cert}]}}"),
                new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME, Set.of(Protocol.HTTP)));
        assertThat(t.snapshot().ports()).isEmpty();
        assertThat(t.nothingServed()).isEqualTo("nothing is served: no listener of Gateway default/edge is programmed "
                + "(each listener's Programmed condition says why)");
        ResourceStatus gateway = t.statuses().stream().filter(s -> s.kind().equals("Gateway")).findFirst().orElseThrow();
        assertThat(gateway.conditions()).contains(Conditions.gatewayNotProgrammed());
        assertThat(gateway.listeners().get(0).conditions()).filteredOn(c -> c.type().equals("Programmed"))
                .containsExactly(Conditions.listenerProtocolNotServed("HTTPS", 8443));
    }

    @Test
    void aServedProtocolIsProgrammed() throws IOException {
        Translation t = translate(CLASS.formatted(TranslatorOptions.DEFAULT_CONTROLLER_NAME)
                + GATEWAY.formatted("  - {name: web, port: 8443, protocol: HTTP}"), new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME,
                Set.of(Protocol.HTTP, Protocol.HTTPS)));
        assertThat(t.nothingServed()).isNull();
        assertThat(t.diagnostics()).extracting(Diagnostic::message).noneMatch(m -> m.startsWith(Translation.NOTHING_SERVED));
        assertThat(t.snapshot().ports()).hasSize(1);
    }

    private Translation translate(String yaml, TranslatorOptions options) throws IOException {
        Files.writeString(dir.resolve("config.yaml"), yaml);
        YamlResourceLoader.Result loaded = new YamlResourceLoader().load(dir);
        assertThat(loaded.diagnostics()).isEqualTo(List.of());
        Translation t = new Translator(options).translate(loaded.resources(), 1);
        assertThat(t.hasErrors()).as("%s", t.diagnostics()).isFalse();
        return t;
    }
}
