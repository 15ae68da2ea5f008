package dev.gatehouse.app.control;

import dev.gatehouse.app.doctor.ConfigDoctor;
import dev.gatehouse.app.doctor.Finding;
import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.ResourceSet;
import dev.gatehouse.translate.Translation;
import dev.gatehouse.translate.Translator;
import dev.gatehouse.translate.TranslatorOptions;
import dev.gatehouse.translate.YamlResourceLoader;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads, translates and checks a config path; shared by {@code run} (each reload), {@code validate}, {@code explain}
 * and {@code doctor}, so that all of them find the same problems: the loader's and translator's diagnostics, and the
 * doctor's findings on what was accepted.
 */
public final class ConfigLoader {
    private final YamlResourceLoader yaml = new YamlResourceLoader();
    private final TranslatorOptions options;
    private final Translator translator;
    private final Clock clock;

    public ConfigLoader(TranslatorOptions options) {
        this(options, Clock.systemUTC());
    }

    /** @param clock what "now" is for the checks (certificate expiry) */
    public ConfigLoader(TranslatorOptions options, Clock clock) {
        this.options = options;
        this.translator = new Translator(options);
        this.clock = clock;
    }

    /**
     * @param translation the translation, or {@code null} when the files did not parse
     * @param diagnostics everything found, loader's first
     * @param findings the doctor's findings on a config without errors (empty otherwise)
     */
    public record Result(Translation translation, List<Diagnostic> diagnostics, List<Finding> findings) {
        public boolean hasErrors() {
            return translation == null
                    || diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
        }
    }

    /** Blocking file I/O: never call on an event loop. */
    public Result load(Path path, long generation) {
        return translate(yaml.load(path), generation);
    }

    /** Translates and checks what a {@link dev.gatehouse.translate.ResourceSource} read (files or the API). */
    public Result translate(YamlResourceLoader.Result loaded, long generation) {
        return translate(loaded, generation, true);
    }

    /**
     * @param check whether to run the doctor's checks now; without, {@link Result#findings()} is empty and
     *              {@link #check} runs them later (a reload serves first, then checks)
     */
    public Result translate(YamlResourceLoader.Result loaded, long generation, boolean check) {
        List<Diagnostic> all = new ArrayList<>(loaded.diagnostics());
        if (loaded.hasErrors()) {
            return new Result(null, all, List.of());
        }
        Translation translation = translator.translate(loaded.resources(), generation);
        all.addAll(translation.diagnostics());
        return new Result(translation, all, check ? check(loaded.resources(), translation) : List.of());
    }

    /**
     * Translates {@code resources} {@code rounds} times with a translator of its own and throws the results away:
     * run once the first config is served, it lets the JIT compile the translation path before the first change
     * needs it (the first changes after start cost two to three times a warm reload's CPU). Pure: nothing served
     * or memoised changes.
     */
    public void warmUp(ResourceSet resources, int rounds) {
        Translator fresh = new Translator(options);
        for (int i = 0; i < rounds; i++) {
            fresh.translate(resources, 0);
        }
    }

    /** The doctor's findings on a translation of {@code resources} (none on one with errors). */
    public List<Finding> check(ResourceSet resources, Translation translation) {
        return translation.hasErrors() ? List.of()
                : new ConfigDoctor(resources, translation, clock.instant(), options.controllerName()).check();
    }
}
