package dev.gatehouse.translate;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every conformance case's config must load and translate without errors: our schema validation must not
 * refuse what the API server accepts. Render the configs with
 * {@code src/test/scripts/render-conformance-configs.py CASES_JSON DIR}, then run with
 * {@code -Dconformance.configs=DIR} ({@code -Dconformance.print=true} also prints every non-True condition).
 * Skipped when the property is not set, since the cases live outside the repository; {@code scripts/test.sh} renders
 * them and sets it when {@code ../shared/conformance} is there.
 */
class ConformanceConfigsTest {
    @TestFactory
    Stream<DynamicTest> conformanceConfigsTranslateWithoutErrors() throws IOException {
        String dir = System.getProperty("conformance.configs");
        Assumptions.assumeTrue(dir != null, "set -Dconformance.configs=DIR to run");
        List<Path> cases;
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            cases = s.filter(Files::isDirectory).sorted().toList();
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
            YamlResourceLoader.Result loaded = new YamlResourceLoader().load(c);
            Translation t = new Translator(TranslatorOptions.defaults()).translate(loaded.resources(), 1);
            String errors = Stream.concat(loaded.diagnostics().stream(), t.diagnostics().stream())
                    .filter(d -> d.severity() == Diagnostic.Severity.ERROR)
                    .map(Diagnostic::describe).collect(Collectors.joining("\n"));
            if (Boolean.getBoolean("conformance.print")) {
                System.out.println("##### " + c.getFileName());
                t.statuses().forEach(st -> {
                    st.parents().forEach(p -> p.conditions().stream().filter(x -> !x.status().equals("True"))
                            .forEach(x -> System.out.println(st.name() + " " + p.parentRef() + " " + x.type() + "=" + x.reason())));
                    st.listeners().forEach(l -> l.conditions().stream()
                            .filter(x -> !x.status().equals(x.type().equals("Conflicted") ? "False" : "True"))
                            .forEach(x -> System.out.println(st.name() + "/" + l.name() + " " + x.type() + "=" + x.reason())));
                });
                Stream.concat(loaded.diagnostics().stream(), t.diagnostics().stream())
                        .forEach(d -> System.out.println("  " + d.severity() + " " + d.describe()));
            }
            assertThat(errors).isEmpty();
        }));
    }
}
