package dev.gatehouse.translate;

import dev.gatehouse.ir.SnapshotPrinter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code golden/<case>.in.yaml} is loaded and translated; the diagnostics, statuses and snapshot, printed by
 * {@link SnapshotPrinter}, must equal {@code golden/<case>.out.yaml}. Run with {@code -Dgolden.update=true} to
 * rewrite the outputs, then review the diff: it must be right per the spec, not just what the code printed.
 */
class GoldenFileTest {
    private static final Path DIR = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".in.yaml"))
                    .map(n -> n.substring(0, n.length() - ".in.yaml".length()))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void translatesAsGolden(String name) throws IOException {
        YamlResourceLoader.Result loaded = new YamlResourceLoader().load(DIR.resolve(name + ".in.yaml"));
        Translation t = new Translator(TranslatorOptions.defaults()).translate(loaded.resources(), 1);
        List<Diagnostic> diagnostics = new ArrayList<>(loaded.diagnostics());
        diagnostics.addAll(t.diagnostics());
        String actual = SnapshotPrinter.print(
                Map.of("diagnostics", diagnostics, "statuses", t.statuses(), "snapshot", t.snapshot()));
        Path expected = DIR.resolve(name + ".out.yaml");
        if (UPDATE) {
            Files.writeString(expected, actual);
        }
        assertThat(expected).as("golden file %s is missing: run with -Dgolden.update=true and review it", expected)
                .exists();
        assertThat(actual).isEqualTo(Files.readString(expected));
    }
}
