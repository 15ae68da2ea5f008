package dev.gatehouse.app.control;

import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.Translation;
import dev.gatehouse.translate.Translator;
import dev.gatehouse.translate.TranslatorOptions;
import dev.gatehouse.translate.YamlResourceLoader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads and translates a config path; shared by {@code run}, {@code validate} and the reload loop. */
public final class ConfigLoader {
    private final YamlResourceLoader yaml = new YamlResourceLoader();
    private final Translator translator;

    public ConfigLoader(TranslatorOptions options) {
        this.translator = new Translator(options);
    }

    /**
     * @param translation the translation, or {@code null} when the files did not parse
     * @param diagnostics everything found, loader's first
     */
    public record Result(Translation translation, List<Diagnostic> diagnostics) {
        public boolean hasErrors() {
            return translation == null
                    || diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
        }
    }

    /** Blocking file I/O: never call on an event loop. */
    public Result load(Path path, long generation) {
        YamlResourceLoader.Result loaded = yaml.load(path);
        List<Diagnostic> all = new ArrayList<>(loaded.diagnostics());
        if (loaded.hasErrors()) {
            return new Result(null, all);
        }
        Translation translation = translator.translate(loaded.resources(), generation);
        all.addAll(translation.diagnostics());
        return new Result(translation, all);
    }
}
