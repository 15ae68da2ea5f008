package dev.gatehouse.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** validate shows what doctor knows: the same checks, with their fixes; warnings fail only with --strict. */
class ValidateCommandTest {
    static final Path MATCHED = Path.of("src/test/resources/explain/matched.yaml");

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    private Path config(String from, String to) throws Exception {
        String yaml = Files.readString(MATCHED);
        assertThat(yaml).contains(from);
        Files.writeString(dir.resolve("c.yaml"), yaml.replace(from, to));
        return dir;
    }

    @Test
    void aSlicePortThatIsNotTheTargetPortIsAWarningWithItsFixAndFailsOnlyWithStrict() throws Exception {
        Path c = config("targetPort: 9000", "targetPort: 8000");
        assertThat(console.run("validate", c.toString())).as(console.out()).isZero();
        assertThat(console.out()).contains("warning: Service default/shop: port 80 ('http') has targetPort 8000 but no "
                + "EndpointSlice port is 8000; traffic goes to slice port 9000  ->  make targetPort and the EndpointSlice port agree",
                ": OK (", "1 warnings)");
        assertThat(console.run("validate", "--strict", c.toString())).isEqualTo(1);
        assertThat(console.out()).contains("--strict makes them fail");
    }

    @Test
    void aSlicePortNamedUnlikeTheServicePortIsShownAndFailsAsAProblem() throws Exception {
        Path c = config("ports: [{name: http, port: 9000}]", "ports: [{name: web, port: 9000}]");
        assertThat(console.run("validate", c.toString())).as(console.out()).isEqualTo(3);
        assertThat(console.out()).contains("error: Service default/shop: port 80 ('http') has no EndpointSlice port named "
                + "'http' (slice ports: web=9000), so it has no endpoints  ->  name the EndpointSlice port 'http'");
    }

    @Test
    void aControllerNameThatIsNotOursIsNamedWithWhatWasMeantAndKongsGetsASentenceOfItsOwn() throws Exception {
        String ours = "controllerName: gatehouse.dev/gateway-controller";
        assertThat(console.run("validate", config(ours, "controllerName: gatehouse.dev/gateway-controler").toString()))
                .isEqualTo(1);
        assertThat(console.run("validate", config(ours, "controllerName: konghq.com/kic-gateway-controller").toString()))
                .isEqualTo(1);
        assertThat(console.out()).contains("GatewayClass gatehouse\n  Accepted=Unknown reason=Pending: controllerName "
                        + "gatehouse.dev/gateway-controler is not gatehouse's (gatehouse.dev/gateway-controller): did you mean "
                        + "gatehouse.dev/gateway-controller?",
                "controllerName konghq.com/kic-gateway-controller is Kong's controller name; "
                        + "gatehouse serves GatewayClasses whose controllerName is gatehouse.dev/gateway-controller");
    }

    @Test
    void aGatewayThatAllowsListenerSetsWithNoneAttachedIsOkAndARefusedListenerSetIsAProblemWithItsFix() throws Exception {
        Path c = config("  gatewayClassName: gatehouse\n", "  gatewayClassName: gatehouse\n"
                + "  allowedListeners: {namespaces: {from: Same}}\n");
        assertThat(console.run("validate", c.toString())).as(console.out()).isZero();
        assertThat(console.out()).contains("AttachedListenerSets=False reason=NoListenerSetsAttached");
        Files.writeString(dir.resolve("team.yaml"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: ListenerSet
                metadata: {name: team, namespace: apps}
                spec:
                  parentRef: {name: edge, namespace: default}
                  listeners: [{name: web, protocol: HTTP, port: 8080, hostname: team.example.org}]
                """);
        assertThat(console.run("validate", c.toString())).as(console.out()).isEqualTo(3);
        assertThat(console.out()).contains("ListenerSet apps/team\n  Accepted=False reason=NotAllowed: Gateway "
                + "default/edge does not allow ListenerSets from namespace apps",
                "error: ListenerSet apps/team: not attached (NotAllowed: ", "->  Gateway default/edge allows "
                        + "ListenerSets from Same only: set its spec.allowedListeners");
    }

    @Test
    void theSameResourceInTwoFilesIsRejectedNamingBoth() throws Exception {
        Files.createDirectories(dir.resolve("team"));
        Files.copy(MATCHED, dir.resolve("a.yaml"));
        Files.copy(MATCHED, dir.resolve("team/b.yaml"));
        assertThat(console.run("validate", "-c", dir.toString())).isEqualTo(1);
        assertThat(console.out()).contains("HTTPRoute default/shop: defined twice: in " + dir.resolve("a.yaml")
                + " (document", "and in " + dir.resolve("team/b.yaml") + " (document");
    }
}
