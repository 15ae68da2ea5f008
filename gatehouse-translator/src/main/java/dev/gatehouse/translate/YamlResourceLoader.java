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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads a YAML file or a folder of {@code *.yaml}/{@code *.yml} files (multi-document; subfolders too, as
 * {@code kubectl apply -R}; see {@link ConfigFiles}) into a {@link ResourceSet}, with the fabric8 model classes.
 * A {@code kind: List} (what {@code kubectl get -o yaml} exports) stands for its items. Blocking I/O: call it off
 * the event loops.
 *
 * <p>A file whose bytes are what the previous load read is not parsed again: its objects are the same instances as
 * then, so the translator's per-object memo ({@link ObjectMemo}) and the compiler's reuse of unchanged clusters
 * work for files as for the informers' objects, and a one-file change re-parses one file, not the config (at
 * 10,000 routes, parsing was half of a reload's CPU and most of its garbage). Only the last load's files are kept.
 * What crosses files (a resource defined twice) is checked again on every load.
 */
public final class YamlResourceLoader {
    // kubectl refuses a mapping with a key twice; silently keeping the last value would hide mistakes.
    private final YAMLFactory yaml = (YAMLFactory) new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final ObjectMapper mapper = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final UnknownFields unknownFields = new UnknownFields(mapper);
    /** the previous load's files by path; replaced whole by each load, so concurrent loads stay consistent */
    private final AtomicReference<Map<Path, ParsedFile>> lastFiles = new AtomicReference<>(Map.of());

    /**
     * One file's parse, as bytes in and what came out in order: its own diagnostics and its resources (each with
     * what only it decides: the warning about foreign annotations; whether it is defined twice is the load's).
     */
    private record ParsedFile(byte[] bytes, List<Object> items) {
    }

    /** A resource parsed from a file, before the load checks it is not defined twice. */
    private record Parsed(String resource, String here, ResourceSet.Entry entry, Diagnostic foreign) {
    }

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
        Map<Path, ParsedFile> previous = lastFiles.get();
        Map<Path, ParsedFile> current = new HashMap<>();
        for (Path file : files) {
            ParsedFile parsed = parse(file, previous.get(file));
            current.put(file, parsed);
            load.replay(parsed);
        }
        lastFiles.set(current);
        return load.result();
    }

    /** {@code file} parsed, or {@code before} when its bytes are the same (the same object instances). */
    private ParsedFile parse(Path file, ParsedFile before) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return new ParsedFile(null, List.of(cannotRead(file, e)));
        }
        if (before != null && Arrays.equals(before.bytes(), bytes)) {
            return before;
        }
        FileParse parse = new FileParse(file.toString());
        try {
            // a file that is not UTF-8 is refused, as Files.readString refuses it
            parse.file(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
        } catch (IOException e) {
            return new ParsedFile(bytes, List.of(cannotRead(file, e)));
        }
        return new ParsedFile(bytes, List.copyOf(parse.items));
    }

    private static Diagnostic cannotRead(Path file, IOException e) {
        return new Diagnostic(Diagnostic.Severity.ERROR, file.toString(), 0, null, null,
                "cannot read: " + e.getMessage());
    }

    /** One load's state: what was read so far, and where each resource was first defined. */
    private static final class Load {
        final List<ResourceSet.Entry> entries = new ArrayList<>();
        final List<Diagnostic> diagnostics = new ArrayList<>();
        /** "Kind namespace/name" -> "file (document n)" of its first definition */
        final Map<String, String> definedAt = new HashMap<>();

        Result result() {
            return new Result(new ResourceSet(entries), diagnostics);
        }

        /** Adds one file's parse, in its order: its diagnostics, and its resources unless defined before. */
        void replay(ParsedFile file) {
            for (Object item : file.items()) {
                if (item instanceof Diagnostic d) {
                    diagnostics.add(d);
                } else if (item instanceof Parsed p) {
                    String first = definedAt.putIfAbsent(p.resource(), p.here());
                    if (first != null) {
                        // kubectl apply would let the later file win; which one was meant is for the user to say
                        diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, p.entry().file(),
                                p.entry().document(), p.resource(), null,
                                "defined twice: in " + first + " and in " + p.here() + "; keep one"));
                        continue;
                    }
                    if (p.foreign() != null) {
                        diagnostics.add(p.foreign());
                    }
                    entries.add(p.entry());
                }
            }
        }
    }

    /** One file's parse: its diagnostics and resources in document order ({@link ParsedFile#items()}). */
    private final class FileParse {
        final String name;
        final List<Object> items = new ArrayList<>();

        FileParse(String name) {
            this.name = name;
        }

        void file(String text) throws IOException {
            int document = 0;
            try (JsonParser parser = yaml.createParser(text)) {
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
                        items.add(syntaxError(name, Math.max(document, 1), e));
                        return;
                    }
                }
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
                items.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, null, at.isEmpty() ? null : at.substring(0, at.length() - 1),
                        "a document must be a mapping with apiVersion and kind"));
                return;
            }
            String apiVersion = object.path("apiVersion").asText(null);
            String kind = object.path("kind").asText(null);
            if (apiVersion == null || kind == null) {
                items.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, null,
                        at + (apiVersion == null ? "apiVersion" : "kind"), "required field is missing"));
                return;
            }
            boolean namespaced = ResourceKinds.isNamespaced(kind);
            JsonNode metadata = object.path("metadata");
            String resource = kind + " " + resourceName(metadata, namespaced);
            Class<? extends HasMetadata> type = ResourceKinds.classFor(apiVersion, kind);
            if (type == null) {
                items.add(new Diagnostic(Diagnostic.Severity.WARNING, file, document, resource, null,
                        "kind " + kind + " (" + apiVersion + ") is not read by gatehouse; ignored"));
                return;
            }
            if (metadata.path("name").asText("").isEmpty()) {
                items.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource, at + "metadata.name",
                        "required field is missing"));
                return;
            }
            HasMetadata value;
            try {
                value = mapper.treeToValue(object, type);
            } catch (JsonMappingException e) {
                String field = pathOf(e);
                items.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource,
                        field == null ? null : at + field, e.getOriginalMessage()));
                return;
            } catch (JsonProcessingException e) {
                items.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource, null,
                        e.getOriginalMessage()));
                return;
            }
            // a generic resource keeps its whole body in additionalProperties: its validator checks the fields
            List<String> unknown = value instanceof GenericKubernetesResource ? List.of() : unknownFields.find(value);
            for (String field : unknown) {
                items.add(new Diagnostic(Diagnostic.Severity.ERROR, file, document, resource, at + field,
                        "unknown field"));
            }
            if (!unknown.isEmpty()) {
                return;
            }
            if (namespaced && (value.getMetadata().getNamespace() == null || value.getMetadata().getNamespace().isEmpty())) {
                value.getMetadata().setNamespace("default");
            }
            String here = document > 0 ? file + " (document " + document + ")" : file;
            Map<String, String> annotations = value.getMetadata().getAnnotations();
            String foreign = annotations == null ? null : ForeignAnnotations.describe(List.copyOf(annotations.keySet()));
            items.add(new Parsed(resource, here, new ResourceSet.Entry(value, file, document), foreign == null ? null
                    : new Diagnostic(Diagnostic.Severity.WARNING, file, document, resource,
                            at + "metadata.annotations", foreign + " mean nothing to gatehouse; ignored")));
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
