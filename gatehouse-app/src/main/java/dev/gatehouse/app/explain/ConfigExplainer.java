package dev.gatehouse.app.explain;

import dev.gatehouse.app.control.ConfigLoader;
import dev.gatehouse.routing.explain.ExplainRequest;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.TranslatorOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code gatehouse explain}: loads, translates and compiles a config exactly as {@code run} would (the same
 * {@link ConfigLoader} and {@link SnapshotCompiler}) but binds nothing, then explains one request.
 */
public final class ConfigExplainer {
    private final ConfigLoader loader;

    public ConfigExplainer(TranslatorOptions options) {
        this.loader = new ConfigLoader(options);
    }

    /** @param error why nothing could be explained (config rejected, request malformed), else {@code null} */
    public record Result(ExplainAnswer answer, String error) { }

    public Result explain(Path config, String method, String url, List<String> headers) {
        ExplainRequest request;
        try {
            request = ExplainRequest.parse(method, url, headers);
        } catch (IllegalArgumentException e) {
            return new Result(null, "bad request: " + e.getMessage());
        }
        if (!Files.exists(config)) {
            return new Result(null, "config path " + config + " does not exist");
        }
        ConfigLoader.Result loaded = loader.load(config, 1);
        if (loaded.hasErrors()) {
            return new Result(null, "config rejected:\n" + loaded.diagnostics().stream()
                    .filter(d -> d.severity() == Diagnostic.Severity.ERROR)
                    .map(d -> "  " + d.describe()).collect(Collectors.joining("\n")));
        }
        RuntimeSnapshot runtime;
        try {
            runtime = new SnapshotCompiler().compile(loaded.translation().snapshot(), null);
        } catch (IllegalArgumentException e) {
            return new Result(null, "config does not compile: " + e.getMessage());
        }
        return new Result(RequestExplainer.explain(loaded.translation(), runtime, request), null);
    }
}
