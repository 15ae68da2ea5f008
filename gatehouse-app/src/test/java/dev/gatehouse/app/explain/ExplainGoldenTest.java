package dev.gatehouse.app.explain;

import dev.gatehouse.translate.TranslatorOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code src/test/resources/explain/<case>.yaml} is a config whose leading comments give the request
 * ({@code # method:}, {@code # url:}, {@code # header:}); {@code <case>.txt} is what {@code gatehouse explain}
 * prints for it. Regenerate with {@code -Dgolden.update=true} and review the diff.
 */
class ExplainGoldenTest {
    static final Path DIR = Path.of("src/test/resources/explain");

    /** The request of a case, read from its leading comments. */
    record CaseRequest(String method, String url, List<String> headers) {
        static CaseRequest of(Path yaml) throws IOException {
            String method = "GET";
            String url = null;
            List<String> headers = new ArrayList<>();
            for (String line : Files.readAllLines(yaml)) {
                if (!line.startsWith("# ")) {
                    break;
                }
                String l = line.substring(2);
                if (l.startsWith("method: ")) {
                    method = l.substring(8).trim();
                } else if (l.startsWith("url: ")) {
                    url = l.substring(5).trim();
                } else if (l.startsWith("header: ")) {
                    headers.add(l.substring(8).trim());
                }
            }
            return new CaseRequest(method, url, headers);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"matched", "policies", "unmatched", "unattached", "grpc", "grpc-unmatched", "grpc-terminated", "l4-tls-by-sni", "l4-tls-unrouted", "l4-udp"})
    void explainPrintsTheGoldenText(String name) throws IOException {
        Path yaml = DIR.resolve(name + ".yaml");
        CaseRequest r = CaseRequest.of(yaml);
        ConfigExplainer.Result result = new ConfigExplainer(new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME))
                .explain(yaml, r.method(), r.url(), r.headers());
        assertThat(result.error()).isNull();
        Path golden = DIR.resolve(name + ".txt");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, result.answer().text());
        }
        // a missing golden file fails: one written by the test itself would pass without anyone reviewing it
        assertThat(golden).as("golden file %s is missing: run with -Dgolden.update=true and review it", golden).exists();
        assertThat(result.answer().text()).isEqualTo(Files.readString(golden));
    }
}
