package dev.gatehouse.translate;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads a YAML file or a folder of {@code *.yaml}/{@code *.yml} files (multi-document) into a {@link ResourceSet},
 * with the fabric8 model classes. Blocking I/O: call it off the event loops.
 */
public final class YamlResourceLoader {

    /**
     * @param resources what parsed
     * @param diagnostics parse errors (ERROR: the config must not be served) and skipped kinds (WARNING)
     */
    public record Result(ResourceSet resources, List<Diagnostic> diagnostics) {
        public boolean hasErrors() {
            return diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
        }
    }

    public Result load(Path fileOrDirectory) {
        throw new UnsupportedOperationException("TODO");
    }
}
