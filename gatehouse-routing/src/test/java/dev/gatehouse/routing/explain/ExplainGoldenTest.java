package dev.gatehouse.routing.explain;

import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden files: {@code src/test/resources/explain/<case>.txt} hold the printer's output for each case;
 * regenerate with {@code -Dgolden.update=true} and review the diff.
 */
class ExplainGoldenTest {
    private static final Path DIR = Path.of("src/test/resources/explain");
    private static final RuntimeSnapshot RUNTIME = ShopSnapshot.runtime();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "matched             | GET  | http://shop.example.com/v1/cart?x=1       | x-env: staging;X-Debug: 1",
            "unmatched-host      | GET  | http://bar.example.net:8080/              | -",
            "unmatched-reasons   | GET  | http://api.example.com/api/items?page=x   | x-env: prod",
            "header-missing      | GET  | http://api.example.com/api/items          | -",
            "listener-isolation  | GET  | http://www.example.com/any                | -",
            "catch-all-listener  | GET  | http://127.0.0.1/any/thing                | Host: Other.ORG:80",
            "redirect            | GET  | http://shop.example.com/old?ref=1         | -",
            "invalid-backend     | GET  | http://shop.example.com/broken            | -",
            "no-endpoints        | PUT  | http://shop.example.com/empty/1           | -",
            "shadowed            | GET  | http://shop.example.com/search?page=12    | -",
            "no-listener         | GET  | http://shop.example.com:9000/             | -",
            "listener-no-routes  | GET  | http://a.example.org:8080/                | -",
            "misdirected         | GET  | https://shop.example.com/any              | Host: other.org",
            "https-sni-matches   | GET  | https://shop.example.com/search?page=1    | -",
    })
    void explainMatchesGolden(String name, String method, String url, String headers) throws IOException {
        List<String> headerLines = headers == null ? List.of() : Arrays.asList(headers.split(";"));
        Explanation explanation = RouteExplainer.explain(RUNTIME, ExplainRequest.parse(method, url, headerLines));
        String actual = ExplanationPrinter.print(explanation);
        Path golden = DIR.resolve(name + ".txt");
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(DIR);
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertThat(golden).as("golden file %s (create it with -Dgolden.update=true)", golden).exists();
        assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }
}
