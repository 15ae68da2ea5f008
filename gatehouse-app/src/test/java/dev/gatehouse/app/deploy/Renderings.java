package dev.gatehouse.app.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The install as each tool renders it, as the objects it would send to the API server. Paths are from the module. */
final class Renderings {
    static final Path DEPLOY = Path.of("../deploy");
    static final Path CHART = DEPLOY.resolve("helm/gatehouse");
    static final Path EXAMPLES = Path.of("../examples/kubernetes");
    private static final YAMLMapper YAML = new YAMLMapper();

    private Renderings() {
    }

    /** {@code kubectl kustomize deploy/}; null when there is no kubectl on the PATH. */
    static List<JsonNode> kustomize() throws IOException, InterruptedException {
        Path kubectl = onPath("kubectl");
        if (kubectl == null) {
            return null;
        }
        Path out = Files.createTempFile("gatehouse-kustomize", ".yaml");
        try {
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", DEPLOY.toString())
                    .redirectOutput(out.toFile()).redirectErrorStream(false).start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + DEPLOY + " did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + DEPLOY + " failed: " + err);
            }
            return parse(Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * {@code helm template --include-crds gatehouse deploy/helm/gatehouse} with Helm's engine (helm-java). helm-java's
     * template leaves the chart's crds/ out (Helm installs them untemplated), so they are read as Helm would.
     */
    static List<JsonNode> helm(String... sets) throws IOException {
        var template = new Helm(CHART).template().withName("gatehouse");
        for (int i = 0; i < sets.length; i += 2) {
            template = template.set(sets[i], sets[i + 1]);
        }
        List<JsonNode> out = parse(template.call());
        out.addAll(files(CHART.resolve("crds")));
        return out;
    }

    /** Every YAML file of examples/kubernetes. */
    static List<JsonNode> examples() throws IOException {
        return files(EXAMPLES);
    }

    private static List<JsonNode> files(Path folder) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                out.addAll(parse(Files.readString(f)));
            }
        }
        return out;
    }

    static List<JsonNode> parse(String yaml) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && doc.isObject() && !doc.isEmpty()) {
                    out.add(doc);
                }
            }
        }
        return out;
    }

    /** kind/namespace/name, the identity the API server gives an object. */
    static String id(JsonNode o) {
        JsonNode m = o.path("metadata");
        return o.path("kind").asText() + "/" + m.path("namespace").asText("") + "/" + m.path("name").asText();
    }

    static JsonNode find(List<JsonNode> objects, String kind, String name) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)
                        && o.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + objects.stream()
                        .map(Renderings::id).toList()));
    }

    private static Path onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
