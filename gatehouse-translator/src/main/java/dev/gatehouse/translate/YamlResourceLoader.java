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
import dev.gatehouse.translate.load.ConfigFiles;
import dev.gatehouse.translate.load.ForeignAnnotations;
import dev.gatehouse.translate.load.ResourceKinds;
import dev.gatehouse.translate.load.UnknownFields;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a YAML file or a folder of {@code *.yaml}/{@code *.yml} files (multi-document; subfolders too, as
 * {@code kubectl apply -R}; see {@link ConfigFiles}) into a {@link ResourceSet}, with the fabric8 model classes.
 * A {@code kind: List} (what {@code kubectl get -o yaml} exports) stands for its items. Blocking I/O: call it off
 * the event loops.
 */
public final class YamlResourceLoader {
    // kubectl refuses a mapping with a key twice; silently keeping the last value would hide mistakes.
    private final YAMLFactory yaml = (YAMLFactory) new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final ObjectMapper mapper = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final UnknownFields unknownFields = new UnknownFields(mapper);

    /**
     * @param resources what parsed
     * @param diagnostics parse errors and resources defined twice (ERROR: the config must not be served), skipped
     *                    kinds and ignored annotations (WARNING)
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
        Load load = new Load();
        List<Path> files;
        try {
            files = ConfigFiles.of(fileOrDirectory);
        } catch (IOException e) {
            load.diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, fileOrDirectory.toString(), 0, null, null,
                    "cannot read: " + e));
            return load.result();
        }
        if (files.isEmpty() && !Files.isDirectory(fileOrDirectory)) {
            load.diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, fileOrDirectory.toString(), 0, null, null,
                    "no such file or directory"));
        }
        for (Path file : files) {
            load.file(file);
        }
        return load.result();
    }

    /** One load's state: what was read so far, and where each resource was first defined. */
    private final class Load {
        final List<ResourceSet.Entry> entries = new ArrayList<>();
        final List<Diagnostic> diagnostics = new ArrayList<>();
        /** "Kind namespace/name" -> "file (document n)" of its first definition */
        final Map<String, String> definedAt = new HashMap<>();

        Result result() {
            return new Result(new ResourceSet(entries), diagnostics);
        }

        void file(Path file) {
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
                        document(name, document, node);
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

        void document(String file, int document, JsonNode node) {
            if (node == null || node.isNull() || node.isMissingNode()) {
                return;
            }
            String kind = node.path("kind").asText("");
            if (kind.endsWith("List") && node.path("items").isArray()) {
                // A typed list (HTTPRouteList, straight from the API) leaves kind and apiVersion out of its items.
                String itemKind = kind.equals("List") ? null : kind.substring(0, kind.length() - "List".length());
                String apiVersion = node.path("apiVersion").asText(null);
                int i = 0;
                for (JsonNode item : node.path("items")) {
                    if (itemKind != null && item instanceof ObjectNode o && !o.has("kind")) {
                        o.put("kind", itemKind);
                        if (!o.has("apiVersion") && apiVersion != null) {
                            o.put("apiVersion", apiVersion);
                        }
                    }
                    resource(file, document, "items[" + i++ + "].", item);
                }
                return;
            }
            resource(file, document, "", node);
        }

        /** @param at where the resource is inside its document: "" or "items[3]." */
        private void resource(String file, int document, String at, JsonNode node) {
            if (!(node instanceof ObjectNode object)) {
                diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, null, at.isEmpty() ? null : at.substring(0, at.length() - 1),
                        "a document must be a mapping with apiVersion and kind"));
                return;
            }
            String apiVersion = object.path("apiVersion").asText(null);
            String kind = object.path("kind").asText(null);
            if (apiVersion == null || kind == null) {
                diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, null,
                        at + (apiVersion == null ? "apiVersion" : "kind"), "required field is missing"));
                return;
            }
            boolean namespaced = ResourceKinds.isNamespaced(kind);
            JsonNode metadata = object.path("metadata");
            String resource = kind + " " + resourceName(metadata, namespaced);
            Class<? extends HasMetadata> type = ResourceKinds.classFor(apiVersion, kind);
            if (type == null) {
                diagnostics.add(new Diagnostic(Diagnostic.Severity.WARNING, file, document, resource, null,
                        "kind " + kind + " (" + apiVersion + ") is not read by gatehouse; ignored"));
                return;
            }
            if (metadata.path("name").asText("").isEmpty()) {
                diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource, at + "metadata.name",
                        "required field is missing"));
                return;
            }
            HasMetadata value;
            try {
                value = mapper.treeToValue(object, type);
            } catch (JsonMappingException e) {
                String field = pathOf(e);
                diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource,
                        field == null ? null : at + field, e.getOriginalMessage()));
                return;
            } catch (JsonProcessingException e) {
                diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource, null,
                        e.getOriginalMessage()));
                return;
            }
            // a generic resource keeps its whole body in additionalProperties: its validator checks the fields
            List<String> unknown = value instanceof GenericKubernetesResource ? List.of() : unknownFields.find(value);
            for (String field : unknown) {
                diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource, at + field,
                        "unknown field"));
            }
            if (!unknown.isEmpty()) {
                return;
            }
            if (namespaced && (value.getMetadata().getNamespace() == null || value.getMetadata().getNamespace().isEmpty())) {
                value.getMetadata().setNamespace("default");
            }
            String here = document > 0 ? file + " (document " + document + ")" : file;
            String first = definedAt.putIfAbsent(resource, here);
            if (first != null) {
                // kubectl apply would let the later file win; which one was meant is for the user to say
                diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource, null,
                        "defined twice: in " + first + " and in " + here + "; keep one"));
                return;
            }
            Map<String, String> annotations = value.getMetadata().getAnnotations();
            String foreign = annotations == null ? null : ForeignAnnotations.describe(List.copyOf(annotations.keySet()));
            if (foreign != null) {
                diagnostics.add(new Diagnostic(Diagnostic.Severity.WARNING, file, document, resource,
                        at + "metadata.annotations", foreign + " mean nothing to gatehouse; ignored"));
            }
            entries.add(new ResourceSet.Entry(value, file, document));
        }
    }

    private static Diagnostic syntaxError(String file, int document, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return new Diagnostic(Diagnostic.Severity.ERROR, file, document, null, null,
                "YAML syntax error" + where + ": " + e.getOriginalMessage());
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
