package dev.gatehouse.app.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.gatehouse.app.cli.GatehouseCommand;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * deploy/ (kustomize) and deploy/helm/gatehouse (Helm, default values) render the same objects, with the settings
 * the install promises, and every object of them and of examples/kubernetes passes the API server's schemas.
 */
final class DeployManifestsTest {
    private static List<JsonNode> kustomize;
    private static List<JsonNode> helm;

    private static synchronized List<JsonNode> rendering(String tool) throws Exception {
        if ("helm".equals(tool)) {
            if (helm == null) {
                helm = Renderings.helm();
            }
            return helm;
        }
        if (kustomize == null) {
            kustomize = Renderings.kustomize();
        }
        assumeTrue(kustomize != null, "kubectl is not on the PATH: the kustomize rendering of deploy/ is not tested");
        return kustomize;
    }

    @Test
    void kustomizeAndTheChartRenderTheSameObjects() throws Exception {
        Map<String, JsonNode> fromKustomize = byId(rendering("kustomize"));
        Map<String, JsonNode> fromHelm = byId(rendering("helm"));
        assertEquals(fromKustomize.keySet(), fromHelm.keySet());
        for (String id : fromKustomize.keySet()) {
            assertEquals(fromKustomize.get(id), fromHelm.get(id), id + " differs between kustomize and helm");
        }
        assertEquals(Set.of("CustomResourceDefinition", "Namespace", "ServiceAccount", "ClusterRole",
                "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "PodDisruptionBudget", "Service",
                "GatewayClass"), Set.copyOf(fromKustomize.keySet().stream().map(id -> id.split("/")[0]).toList()));
    }

    @Test
    void theChartPassesHelmLint() {
        LintResult lint = new Helm(Renderings.CHART).lint().strict().call();
        assertFalse(lint.isFailed(), "helm lint --strict: " + lint.getMessages());
    }

    @ParameterizedTest
    @ValueSource(strings = {"kustomize", "helm"})
    void twoReplicasProbedOnTheAdminPortDrainWithinTheGracePeriod(String tool) throws Exception {
        List<JsonNode> objects = rendering(tool);
        JsonNode deployment = Renderings.find(objects, "Deployment", "gatehouse");
        assertEquals(2, deployment.at("/spec/replicas").asInt());
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        List<String> args = texts(container.path("args"));
        assertTrue(args.contains("--admin=0.0.0.0:9901"), "args " + args);
        assertEquals(9901, port(container, "admin"));
        assertEquals("/ready", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("admin", container.at("/readinessProbe/httpGet/port").asText());
        assertEquals("/live", container.at("/livenessProbe/httpGet/path").asText());
        assertEquals("admin", container.at("/livenessProbe/httpGet/port").asText());

        Duration drain = run(args).matchedOptionValue("--drain-timeout", Duration.ZERO)
                .plus(run(args).matchedOptionValue("--drain-period", Duration.ZERO));
        assertTrue(pod.path("terminationGracePeriodSeconds").asLong() > drain.toSeconds(),
                "terminationGracePeriodSeconds " + pod.path("terminationGracePeriodSeconds") + " <= drain " + drain);
        assertEquals("$(POD_NAMESPACE)", arg(args, "--leader-election-namespace="));
        JsonNode env = StreamSupport.stream(container.path("env").spliterator(), false)
                .filter(e -> e.path("name").asText().equals("POD_NAMESPACE")).findFirst().orElseThrow();
        assertEquals("metadata.namespace", env.at("/valueFrom/fieldRef/fieldPath").asText());

        JsonNode term = pod.at("/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm");
        assertEquals("kubernetes.io/hostname", term.path("topologyKey").asText());
        assertEquals(deployment.at("/spec/template/metadata/labels"), term.at("/labelSelector/matchLabels"));
        assertTrue(container.at("/resources/requests/cpu").isTextual() && container.at("/resources/requests/memory").isTextual());
        assertTrue(container.at("/resources/limits/memory").isTextual());

        JsonNode pdb = Renderings.find(objects, "PodDisruptionBudget", "gatehouse");
        assertEquals(1, pdb.at("/spec/minAvailable").asInt());
        assertEquals(deployment.at("/spec/template/metadata/labels"), pdb.at("/spec/selector/matchLabels"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"kustomize", "helm"})
    void nonRootReadOnlyNoCapabilitiesUnprivilegedPorts(String tool) throws Exception {
        JsonNode pod = Renderings.find(rendering(tool), "Deployment", "gatehouse").at("/spec/template/spec");
        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean());
        JsonNode container = pod.at("/containers/0");
        JsonNode sc = container.path("securityContext");
        assertTrue(sc.path("readOnlyRootFilesystem").asBoolean());
        assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals(List.of("ALL"), texts(sc.at("/capabilities/drop")));
        assertTrue(sc.at("/capabilities/add").isMissingNode(), "no capability added: " + sc);
        for (JsonNode p : container.path("ports")) {
            assertTrue(p.path("containerPort").asInt() >= 1024, "a privileged container port: " + p);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kustomize", "helm"})
    void nodePortServiceOnThirtyEightyAndThirtyFourFortyThreeWithoutTheAdminPort(String tool) throws Exception {
        List<JsonNode> objects = rendering(tool);
        JsonNode service = Renderings.find(objects, "Service", "gatehouse");
        assertEquals("NodePort", service.at("/spec/type").asText());
        Map<Integer, String> ports = new TreeMap<>();
        for (JsonNode p : service.at("/spec/ports")) {
            ports.put(p.path("port").asInt(), p.path("targetPort").asText() + " " + p.path("nodePort").asText());
        }
        assertEquals(Map.of(80, "8080 30080", 443, "8443 30443"), ports);
        JsonNode container = Renderings.find(objects, "Deployment", "gatehouse").at("/spec/template/spec/containers/0");
        assertEquals(8080, port(container, "http"));
        assertEquals(8443, port(container, "https"));
        assertEquals("gatehouse.dev/gateway-controller",
                Renderings.find(objects, "GatewayClass", "gatehouse").at("/spec/controllerName").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"kustomize", "helm"})
    void rbacWritesOnlyStatusSubresourcesAndItsLease(String tool) throws Exception {
        List<JsonNode> objects = rendering(tool);
        Set<String> readOnly = Set.of("get", "list", "watch");
        List<String> reads = new ArrayList<>();
        for (JsonNode rule : Renderings.find(objects, "ClusterRole", "gatehouse").path("rules")) {
            List<String> verbs = texts(rule.path("verbs"));
            for (String resource : texts(rule.path("resources"))) {
                String qualified = rule.at("/apiGroups/0").asText() + "/" + resource;
                assertFalse(resource.contains("*") || verbs.contains("*"), "a wildcard in " + rule);
                if (qualified.equals("/secrets") || qualified.equals("/configmaps")) {
                    // followed by name (a list and a watch with a field selector): no get, no other verb
                    assertEquals(Set.of("list", "watch"), Set.copyOf(verbs), qualified + " " + verbs);
                }
                if (readOnly.containsAll(verbs)) {
                    reads.add(qualified);
                } else {
                    assertTrue(resource.endsWith("/status") && Set.of("update", "patch").containsAll(verbs),
                            "a write outside a status subresource: " + qualified + " " + verbs);
                }
            }
        }
        assertTrue(reads.containsAll(List.of("gateway.networking.k8s.io/gatewayclasses",
                "gateway.networking.k8s.io/gateways", "gateway.networking.k8s.io/httproutes",
                "gateway.networking.k8s.io/referencegrants", "/services", "/secrets", "/namespaces", "/nodes",
                "discovery.k8s.io/endpointslices", "gatehouse.dev/requestterminations")), "reads " + reads);
        JsonNode role = Renderings.find(objects, "Role", "gatehouse-leader-election");
        assertEquals("gatehouse-system", role.at("/metadata/namespace").asText());
        assertEquals(1, role.path("rules").size());
        assertEquals(List.of("leases"), texts(role.at("/rules/0/resources")));
        assertEquals(List.of("coordination.k8s.io"), texts(role.at("/rules/0/apiGroups")));
        assertEquals(Set.of("get", "create", "update"), Set.copyOf(texts(role.at("/rules/0/verbs"))));
        JsonNode binding = Renderings.find(objects, "ClusterRoleBinding", "gatehouse");
        assertEquals("gatehouse", binding.at("/subjects/0/name").asText());
        assertEquals("gatehouse", Renderings.find(objects, "Deployment", "gatehouse")
                .at("/spec/template/spec/serviceAccountName").asText());
    }

    @Test
    void everyObjectOfTheInstallAndTheExamplePassesTheSchemas() throws Exception {
        ObjectSchemas schemas = new ObjectSchemas();
        List<JsonNode> all = new ArrayList<>(rendering("helm"));
        all.addAll(Renderings.helm("hostNetwork", "true"));
        all.addAll(Renderings.examples());
        if (Renderings.kustomize() != null) {
            all.addAll(rendering("kustomize"));
        }
        assertEquals(List.of(), schemas.violations(all));
    }

    /**
     * Our resources as users write them (examples/, the translator's accepted goldens) are admitted by our CRDs, and
     * what standalone mode refuses (the translator's schema goldens) the API server refuses too: controller mode
     * translates what the API stored, and a stored policy the translator refuses would hold back every change.
     */
    @Test
    void ourCrdsAdmitTheExamplesAndRefuseWhatStandaloneModeRefuses() throws Exception {
        ObjectSchemas schemas = new ObjectSchemas();
        List<JsonNode> valid = new ArrayList<>();
        for (Path f : yamlFiles(Path.of("../examples"))) {
            valid.addAll(ours(Renderings.parse(Files.readString(f))));
        }
        List<String> seen = new ArrayList<>(valid.stream().map(o -> o.path("kind").asText()).distinct().toList());
        for (Path f : yamlFiles(GOLDENS)) {
            String file = f.getFileName().toString();
            // "-schema" and "-invalid" goldens hold what the translator refuses or reports Invalid on purpose
            if (file.endsWith(".in.yaml") && !file.contains("schema") && !file.contains("invalid")) {
                valid.addAll(ours(Renderings.parse(Files.readString(f))));
            }
        }
        assertTrue(seen.containsAll(List.of("ClientTrafficPolicy", "RequestTermination")), "examples hold " + seen);
        assertEquals(List.of(), schemas.violations(valid));

        for (Path f : yamlFiles(GOLDENS)) {
            if (!f.getFileName().toString().endsWith("-schema.in.yaml")) {
                continue;
            }
            for (JsonNode o : ours(Renderings.parse(Files.readString(f)))) {
                if (CEL_ONLY.contains(Renderings.id(o))) {
                    continue; // refused by a CEL rule of the CRD, which this offline check does not evaluate
                }
                assertFalse(schemas.violations(List.of(o)).isEmpty(), f.getFileName() + ": the CRD admits " + o);
            }
        }
        assertTrue(Files.readString(Renderings.DEPLOY.resolve("crds/gatehouse.dev_clienttrafficpolicies.yaml"))
                .contains("message: certDetailsToAdd can only be set when mode is AppendForward or SanitizeSet"));
    }

    /** The API server refuses a CRD whose schema is not structural: a type everywhere, properties or a map. */
    @Test
    void ourCrdsAreStructural() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Path f : yamlFiles(Renderings.DEPLOY.resolve("crds"))) {
            for (JsonNode crd : Renderings.parse(Files.readString(f))) {
                for (JsonNode v : crd.at("/spec/versions")) {
                    structural(v.at("/schema/openAPIV3Schema"), f.getFileName() + " " + v.path("name").asText(),
                            problems);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    private static void structural(JsonNode schema, String at, List<String> problems) {
        if (!schema.has("type") && !schema.path("x-kubernetes-int-or-string").asBoolean(false)
                && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            problems.add(at + ": no type");
        }
        if (schema.has("properties") && schema.has("additionalProperties")) {
            problems.add(at + ": additionalProperties and properties are mutually exclusive");
        }
        schema.path("properties").fields().forEachRemaining(p -> structural(p.getValue(), at + "." + p.getKey(), problems));
        if (schema.has("items")) {
            structural(schema.get("items"), at + "[]", problems);
        }
        if (schema.path("additionalProperties").isObject()) {
            structural(schema.get("additionalProperties"), at + "{}", problems);
        }
    }

    private static final Path GOLDENS = Path.of("../gatehouse-translator/src/test/resources/golden");
    /** Schema goldens that only a CEL rule refuses, by kind/namespace/name. */
    private static final Set<String> CEL_ONLY = Set.of("ClientTrafficPolicy/infra/details-without-element");

    private static List<JsonNode> ours(List<JsonNode> objects) {
        return objects.stream().filter(o -> o.path("apiVersion").asText().startsWith("gatehouse.dev/")).toList();
    }

    private static List<Path> yamlFiles(Path folder) throws Exception {
        try (var files = Files.walk(folder)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void theSchemaCheckRefusesUnknownFieldsAndWrongTypes() throws Exception {
        ObjectSchemas schemas = new ObjectSchemas();
        List<JsonNode> bad = Renderings.parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: typo}
                spec: {replica: 2, selector: {}, template: {}}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: typo}
                spec:
                  gatewayClassName: gatehouse
                  listeners: [{name: http, protocol: HTTP, port: "8080", hostnme: a.example}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: bad}
                spec: {hostnames: ["-bad-"], rules: [{backendRefs: [{name: echo}]}]}
                """);
        String found = String.join("\n", schemas.violations(bad));
        assertTrue(found.contains("Deployment//typo: Unrecognized property \"replica\""), found);
        assertTrue(found.contains("Gateway//typo .spec.listeners[0].port: expected integer"), found);
        assertTrue(found.contains("Gateway//typo .spec.listeners[0].hostnme: unknown field"), found);
        assertTrue(found.contains("HTTPRoute//bad .spec.hostnames[0]: '-bad-' does not match"), found);
    }

    @Test
    void theHostNetworkOptionRunsADaemonSetOnTheNodesPortsWithoutAService() throws Exception {
        List<JsonNode> objects = Renderings.helm("hostNetwork", "true");
        JsonNode daemonSet = Renderings.find(objects, "DaemonSet", "gatehouse");
        assertTrue(daemonSet.at("/spec/template/spec/hostNetwork").asBoolean());
        assertTrue(objects.stream().noneMatch(o -> o.path("kind").asText().equals("Service")));
        assertTrue(objects.stream().noneMatch(o -> o.path("kind").asText().equals("Deployment")));
    }

    @Test
    void theExampleRoutesEchoThroughAGatewayOnTheContainersHttpPort() throws Exception {
        List<JsonNode> objects = Renderings.examples();
        assertTrue(objects.stream().noneMatch(o -> o.path("kind").asText().equals("GatewayClass")),
                "the install ships the GatewayClass");
        JsonNode gateway = Renderings.find(objects, "Gateway", "demo");
        assertEquals("gatehouse", gateway.at("/spec/gatewayClassName").asText());
        JsonNode container = Renderings.find(rendering("helm"), "Deployment", "gatehouse")
                .at("/spec/template/spec/containers/0");
        assertEquals(port(container, "http"), gateway.at("/spec/listeners/0/port").asInt());
        JsonNode route = Renderings.find(objects, "HTTPRoute", "echo");
        assertEquals(List.of("echo.example.com"), texts(route.at("/spec/hostnames")));
        assertEquals("demo", route.at("/spec/parentRefs/0/name").asText());
        JsonNode service = Renderings.find(objects, "Service", route.at("/spec/rules/0/backendRefs/0/name").asText());
        assertEquals(route.at("/spec/rules/0/backendRefs/0/port").asInt(), service.at("/spec/ports/0/port").asInt());
        Renderings.find(objects, "Deployment", "echo");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kustomize", "helm"})
    void theContainersArgumentsAreGatehouseCommandLines(String tool) throws Exception {
        List<JsonNode> objects = new ArrayList<>(rendering(tool));
        objects.addAll(Renderings.examples());
        List<String> parsed = new ArrayList<>();
        for (JsonNode o : objects) {
            for (JsonNode container : o.at("/spec/template/spec/containers")) {
                if (container.path("image").asText().startsWith("ghcr.io/gatehouse-dev/gatehouse:")) {
                    ParseResult command = gatehouse(texts(container.path("args")));
                    parsed.add(Renderings.id(o) + " " + command.commandSpec().name());
                }
            }
        }
        assertEquals(List.of("Deployment/gatehouse-system/gatehouse run", "Deployment/default/echo echo"), parsed);
        ParseResult run = run(texts(Renderings.find(objects, "Deployment", "gatehouse")
                .at("/spec/template/spec/containers/0/args")));
        assertTrue(run.matchedOptionValue("--kubernetes", false));
        assertEquals("0.0.0.0:9901", run.matchedOptionValue("--admin", ""));
    }

    @Test
    void theImageRunsTheShadedJarAsThePodsNonRootUser() throws Exception {
        String dockerfile = Files.readString(Path.of("../Dockerfile"));
        assertTrue(dockerfile.contains("COPY gatehouse-app/target/gatehouse.jar "), dockerfile);
        assertTrue(Files.readString(Path.of("pom.xml")).contains("${project.build.directory}/gatehouse.jar"));
        JsonNode pod = Renderings.find(rendering("helm"), "Deployment", "gatehouse").at("/spec/template/spec");
        String uid = pod.at("/securityContext/runAsUser").asText();
        assertTrue(dockerfile.contains("\nUSER " + uid + ":"), "the image's USER is not the pod's runAsUser " + uid);
        gatehouse(List.of(dockerfile.lines().filter(l -> l.startsWith("CMD ")).findFirst().orElseThrow()
                .replaceAll("CMD \\[|\\]|\"", "").split(",\\s*")));
    }

    @Test
    void theImageTrainsTheClassDataArchiveItsEntrypointUses() throws Exception {
        String dockerfile = Files.readString(Path.of("../Dockerfile"));
        String training = dockerfile.lines().filter(l -> l.startsWith("RUN java ")).findFirst().orElseThrow();
        String archive = training.replaceAll(".*-XX:ArchiveClassesAtExit=(\\S+).*", "$1");
        assertTrue(training.endsWith(" -jar /opt/gatehouse/gatehouse.jar train"), training);
        assertEquals("train", gatehouse(List.of("train")).commandSpec().name());
        String entrypoint = dockerfile.substring(dockerfile.indexOf("ENTRYPOINT"), dockerfile.indexOf("\nCMD "));
        assertTrue(entrypoint.contains("\"-XX:SharedArchiveFile=" + archive + "\", \"-Xshare:auto\""), entrypoint);
        assertTrue(dockerfile.indexOf(training) < dockerfile.indexOf("\nUSER "), "trained as root, before USER");
    }

    @Test
    void theImageRunsControllerModeOnG1AsTheLauncherDoes() throws Exception {
        // the pods' 1 GiB limit would make the JVM pick Serial; the manifests leave the flags to the image
        String dockerfile = Files.readString(Path.of("../Dockerfile"));
        String entrypoint = dockerfile.substring(dockerfile.indexOf("ENTRYPOINT"), dockerfile.indexOf("\nCMD "));
        assertTrue(entrypoint.contains("\"-XX:+UseG1GC\""), entrypoint);
        String launcher = Files.readString(Path.of("../gatehouse"));
        assertTrue(launcher.contains("controller_opts=\"-XX:+UseG1GC "), "the launcher's controller-mode flags");
        for (String renderer : List.of("kustomize", "helm")) {
            JsonNode container = Renderings.find(rendering(renderer), "Deployment", "gatehouse")
                    .at("/spec/template/spec/containers/0");
            assertTrue(container.path("command").isMissingNode(), renderer + " replaces the image's entrypoint");
            assertFalse(container.path("env").toString().contains("JAVA_TOOL_OPTIONS"), renderer + " sets JVM flags");
        }
    }

    /** Parsed, not run, as the jar's Main would: an unknown option or a bad value fails here. */
    private static ParseResult gatehouse(List<String> args) {
        ParseResult root = new CommandLine(new GatehouseCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .parseArgs(args.toArray(String[]::new));
        assertTrue(root.hasSubcommand(), "no subcommand in " + args);
        return root.subcommand();
    }

    private static ParseResult run(List<String> args) {
        ParseResult run = gatehouse(args);
        assertEquals("run", run.commandSpec().name());
        return run;
    }

    private static Map<String, JsonNode> byId(List<JsonNode> objects) {
        Map<String, JsonNode> out = new TreeMap<>();
        objects.forEach(o -> assertEquals(null, out.put(Renderings.id(o), o), "twice: " + Renderings.id(o)));
        return out;
    }

    private static int port(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port " + name + " in " + container.path("ports"));
    }

    private static String arg(List<String> args, String prefix) {
        return args.stream().filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in " + args));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
