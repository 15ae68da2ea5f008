package dev.gatehouse.translate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data plane's results laid over the translated statuses: a listener never claims an unbound port, nor a
 * certificate the TLS provider refused.
 */
class UnboundPortsStatusTest {
    @TempDir
    Path dir;

    @Test
    void listenersOfAnUnboundPortAreNotProgrammedAndTheGatewayFollows() throws Exception {
        Translation t = twoHttpListeners();
        assertThat(t.withUnboundPorts(Map.of(9999, "not ours"))).isSameAs(t);

        Translation one = t.withUnboundPorts(Map.of(8081, "port 8081 on 0.0.0.0: Address already in use"));
        ResourceStatus gateway = gateway(one);
        assertThat(programmed(gateway.listeners().get(0))).isEqualTo(Conditions.listenerProgrammed());
        assertThat(programmed(gateway.listeners().get(1))).isEqualTo(new Condition("Programmed", "False", "Pending",
                "Listener is not programmed: port 8081 on 0.0.0.0: Address already in use"));
        assertThat(gateway.conditions()).contains(Conditions.gatewayProgrammed());
        assertThat(gateway(t).listeners().get(1).conditions()).contains(Conditions.listenerProgrammed());

        Translation both = t.withUnboundPorts(Map.of(8080, "x", 8081, "y"));
        assertThat(gateway(both).conditions()).contains(Conditions.gatewayNotProgrammed())
                .doesNotContain(Conditions.gatewayProgrammed());
    }

    @Test
    void aCertificateTheDataPlaneRefusedFailsItsListenerOnly() throws Exception {
        Translation t = twoHttpListeners();
        assertThat(t.withInvalidCertificates(Map.of())).isSameAs(t);

        ResourceStatus gateway = gateway(t.withInvalidCertificates(Map.of("default/edge/b", "Secret default/s cannot be used")));
        assertThat(gateway.listeners().get(0).conditions()).contains(Conditions.listenerProgrammed());
        assertThat(gateway.listeners().get(1).conditions()).contains(
                Conditions.listenerInvalidCertificateRef("Secret default/s cannot be used"),
                Conditions.listenerNotProgrammed("Listener is not programmed: Secret default/s cannot be used"));
        assertThat(gateway.conditions()).contains(Conditions.gatewayProgrammed());
    }

    @Test
    void aListenerSetsListenerOnAnUnboundPortIsNotProgrammedOnTheListenerSetNotOnTheGateway() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), NothingServedTest.CLASS.formatted(TranslatorOptions.DEFAULT_CONTROLLER_NAME)
                + NothingServedTest.GATEWAY.formatted("""
                          - {name: a, protocol: HTTP, port: 8080}
                          allowedListeners: {namespaces: {from: Same}}\
                        """) + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: ListenerSet
                metadata: {name: edge, namespace: default}
                spec:
                  parentRef: {name: edge}
                  listeners: [{name: a, protocol: HTTP, port: 8081}]
                """);
        Translation t = new Translator(TranslatorOptions.defaults())
                .translate(new YamlResourceLoader().load(dir).resources(), 1);
        // a listener of the same name and owner name in both: only the ListenerSet's is on 8081
        Translation unbound = t.withUnboundPorts(Map.of(8081, "port 8081 on 0.0.0.0: Address already in use"));
        ResourceStatus set = unbound.statuses().stream().filter(s -> s.kind().equals("ListenerSet")).findFirst()
                .orElseThrow();
        assertThat(programmed(set.listeners().get(0)).reason()).isEqualTo("Pending");
        assertThat(set.conditions()).contains(ListenerSetTranslator.listenerSetNotProgrammed());
        assertThat(programmed(gateway(unbound).listeners().get(0))).isEqualTo(Conditions.listenerProgrammed());
        assertThat(gateway(unbound).conditions()).contains(Conditions.gatewayProgrammed());
    }

    private Translation twoHttpListeners() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), NothingServedTest.CLASS.formatted(TranslatorOptions.DEFAULT_CONTROLLER_NAME)
                + NothingServedTest.GATEWAY.formatted("""
                          - {name: a, protocol: HTTP, port: 8080}
                          - {name: b, protocol: HTTP, port: 8081}\
                        """));
        return new Translator(TranslatorOptions.defaults())
                .translate(new YamlResourceLoader().load(dir).resources(), 1);
    }

    private static ResourceStatus gateway(Translation t) {
        return t.statuses().stream().filter(s -> s.kind().equals("Gateway")).findFirst().orElseThrow();
    }

    private static Condition programmed(ResourceStatus.ListenerStatus l) {
        return l.conditions().stream().filter(c -> c.type().equals("Programmed")).findFirst().orElseThrow();
    }
}
