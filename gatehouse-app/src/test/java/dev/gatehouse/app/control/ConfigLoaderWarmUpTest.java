package dev.gatehouse.app.control;

import dev.gatehouse.ir.SnapshotPrinter;
import dev.gatehouse.translate.ResourceSet;
import dev.gatehouse.translate.Translation;
import dev.gatehouse.translate.TranslatorOptions;
import dev.gatehouse.translate.YamlResourceLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm-up after the first served config translates with a translator of its own: what the loader translates
 * before and after it is the same, and a config with errors warms up without throwing.
 */
class ConfigLoaderWarmUpTest {
    @Test
    void warmingUpChangesNothingTheLoaderTranslates() {
        ConfigLoader loader = new ConfigLoader(TranslatorOptions.defaults());
        YamlResourceLoader.Result read = new YamlResourceLoader().load(Path.of("../examples/quickstart"));
        String before = print(loader.translate(read, 1, false).translation());

        loader.warmUp(read.resources(), 3);
        loader.warmUp(new ResourceSet(List.of()), 1);

        assertThat(print(loader.translate(read, 1, false).translation())).isEqualTo(before).contains("8080");
    }

    private static String print(Translation t) {
        return SnapshotPrinter.print(List.of(t.diagnostics(), t.statuses(), t.snapshot()));
    }
}
