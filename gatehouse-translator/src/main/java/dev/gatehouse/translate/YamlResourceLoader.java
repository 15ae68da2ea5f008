package dev.gatehouse.translate;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gatehouse.translate.load.ResourceKinds;
import dev.gatehouse.translate.load.UnknownFields;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads a YAML file or a folder of {@code *.yaml}/{@code *.yml} files (multi-document) into a {@link ResourceSet},
 * with the fabric8 model classes. Blocking I/O: call it off the event loops.
 */
public final class YamlResourceLoader {
    // kubectl refuses a mapping with a key twice; silently keeping the last value would hide mistakes.
    private final YAMLFactory yaml = (YAMLFactory) new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final ObjectMapper mapper = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final UnknownFields unknownFields = new UnknownFields(mapper);

    /**
     * @param resources what parsed
     * @param diagnostics parse errors (ERROR: the config must not be served) and skipped kinds (WARNING)
     */
    public record Result(ResourceSet resources, List<Diagnostic> diagnostics) {
        public Result {
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean hasErrors() {
            return diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
        }
    }

    public Result load(Path fileOrDirectory) {
        List<ResourceSet.Entry> entries = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        Set<String> skippedKinds = new LinkedHashSet<>();
        for (Path file : filesOf(fileOrDirectory, diagnostics)) {
            loadFile(file, entries, diagnostics, skippedKinds);
        }
        return new Result(new ResourceSet(entries), diagnostics);
    }

    private static List<Path> filesOf(Path fileOrDirectory, List<Diagnostic> diagnostics) {
        if (!Files.isDirectory(fileOrDirectory)) {
            if (!Files.isRegularFile(fileOrDirectory)) {
                diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, fileOrDirectory.toString(), 0, null, null,
                        "no such file or directory"));
                return List.of();
            }
            return List.of(fileOrDirectory);
        }
        try (Stream<Path> s = Files.list(fileOrDirectory)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void loadFile(Path file, List<ResourceSet.Entry> entries, List<Diagnostic> diagnostics,
                          Set<String> skippedKinds) {
        String name = file.toString();
        int document = 0;
        try (JsonParser parser = yaml.createParser(Files.readString(file))) {
            while (true) {
                JsonToken token;
                try {
                    token = parser.nextToken();
                    if (token == null) {
                        return;
                    }
                    document++;
                    JsonNode node = mapper.readTree(parser);
                    readDocument(name, document, node, entries, diagnostics, skippedKinds);
                } catch (JsonProcessingException e) {
                    diagnostics.add(syntaxError(name, Math.max(document, 1), e));
                    return;
                }
            }
        } catch (IOException e) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, name, 0, null, null,
                    "cannot read: " + e.getMessage()));
        }
    }

    private static Diagnostic syntaxError(String file, int document, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return new Diagnostic(Diagnostic.Severity.ERROR, file, document, null, null,
                "YAML syntax error" + where + ": " + e.getOriginalMessage());
    }

    private void readDocument(String file, int document, JsonNode node, List<ResourceSet.Entry> entries,
                              List<Diagnostic> diagnostics, Set<String> skippedKinds) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (!(node instanceof ObjectNode object)) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, null, null,
                    "a document must be a mapping with apiVersion and kind"));
            return;
        }
        String apiVersion = object.path("apiVersion").asText(null);
        String kind = object.path("kind").asText(null);
        if (apiVersion == null || kind == null) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, null,
                    apiVersion == null ? "apiVersion" : "kind", "required field is missing"));
            return;
        }
        boolean namespaced = ResourceKinds.isNamespaced(kind);
        JsonNode metadata = object.path("metadata");
        String resource = kind + " " + resourceName(metadata, namespaced);
        Class<? extends HasMetadata> type = ResourceKinds.classFor(apiVersion, kind);
        if (type == null) {
            if (skippedKinds.add(apiVersion + " " + kind)) {
                diagnostics.add(new Diagnostic(Diagnostic.Severity.WARNING, file, document, resource, null,
                        "kind " + kind + " (" + apiVersion + ") is not supported; every object of it is skipped"));
            }
            return;
        }
        if (metadata.path("name").asText("").isEmpty()) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource, "metadata.name",
                    "required field is missing"));
            return;
        }
        HasMetadata value;
        try {
            value = mapper.treeToValue(object, type);
        } catch (JsonMappingException e) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource, pathOf(e),
                    e.getOriginalMessage()));
            return;
        } catch (JsonProcessingException e) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource, null,
                    e.getOriginalMessage()));
            return;
        }
        // a generic resource keeps its whole body in additionalProperties: its validator checks the fields
        List<String> unknown = value instanceof GenericKubernetesResource ? List.of() : unknownFields.find(value);
        for (String field : unknown) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource, field,
                    "unknown field"));
        }
        if (!unknown.isEmpty()) {
            return;
        }
        if (namespaced && (value.getMetadata().getNamespace() == null || value.getMetadata().getNamespace().isEmpty())) {
            value.getMetadata().setNamespace("default");
        }
        entries.add(new ResourceSet.Entry(value, file, document));
    }

    private static String resourceName(JsonNode metadata, boolean namespaced) {
        String name = metadata.path("name").asText("");
        if (!namespaced) {
            return name;
        }
        String ns = metadata.path("namespace").asText("");
        return (ns.isEmpty() ? "default" : ns) + "/" + name;
    }

    /** "spec.rules[0].matches[0].path.type" from Jackson's reference chain. */
    static String pathOf(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.length() == 0 ? null : b.toString();
    }
}
