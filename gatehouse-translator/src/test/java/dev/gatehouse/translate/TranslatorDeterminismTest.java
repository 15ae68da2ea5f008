package dev.gatehouse.translate;

import dev.gatehouse.ir.SnapshotPrinter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The order resources arrive in (files, informer events) must not change the snapshot or the statuses. */
class TranslatorDeterminismTest {
    @Test
    void inputOrderDoesNotChangeTheResult() throws IOException {
        Translator translator = new Translator(TranslatorOptions.defaults());
        List<Path> inputs;
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/golden"))) {
            inputs = s.filter(p -> p.toString().endsWith(".in.yaml")).sorted().toList();
        }
        Random random = new Random(42);
        for (Path input : inputs) {
            ResourceSet resources = new YamlResourceLoader().load(input).resources();
            String expected = print(translator.translate(resources, 7));
            for (int i = 0; i < 5; i++) {
                List<ResourceSet.Entry> shuffled = new ArrayList<>(resources.entries());
                Collections.shuffle(shuffled, random);
                assertThat(print(translator.translate(new ResourceSet(shuffled), 7)))
                        .as("%s, shuffle %d", input.getFileName(), i).isEqualTo(expected);
            }
        }
    }

    private static String print(Translation t) {
        return SnapshotPrinter.print(List.of(t.statuses(), t.snapshot()));
    }
}
