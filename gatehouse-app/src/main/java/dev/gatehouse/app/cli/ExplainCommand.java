package dev.gatehouse.app.cli;

import dev.gatehouse.app.explain.ConfigExplainer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Say what gatehouse would do with a request, without sending it or binding any port: "
                + "listener, every rule in precedence order and why it did or did not match, filters, backends, "
                + "and the status conditions of routes that did not attach; of a config PATH, or of what a running "
                + "gateway serves (--admin: a controller's live config).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:a rule matches (whatever it then answers)",
                "1:the request would get 404 or find nothing listening",
                "2:usage error, the config does not load (or the admin API cannot be read), or the request is "
                        + "malformed"})
final class ExplainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigSource config;

    @Option(names = "--admin", arity = "0..1", fallbackValue = DoctorCommand.DEFAULT_ADMIN,
            converter = DoctorCommand.AdminUrl.class, paramLabel = "HOST:PORT|URL",
            description = "Explain against what a running gateway serves, through its admin API: host:port as given "
                    + "to 'run --admin', or a URL (alone: " + DoctorCommand.DEFAULT_ADMIN + ").")
    URI admin;

    @Option(names = "--admin-token", defaultValue = "${env:GATEHOUSE_ADMIN_TOKEN}", paramLabel = "TOKEN",
            description = "Bearer token of the admin API (default: $GATEHOUSE_ADMIN_TOKEN).")
    String adminToken;

    @Option(names = {"-X", "--method"}, defaultValue = "GET", description = "Request method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--url", required = true,
            description = "The request's URL; its port picks the listener, e.g. http://echo.example.com:8080/v1/hello; "
                    + "tcp://, udp:// or tls://host:port for a connection to an L4 port (tls: host = SNI name)")
    String url;

    @Option(names = {"-H", "--header"}, description = "'Name: value', repeatable. A Host header overrides the URL's host.")
    List<String> headers = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        if (admin != null) {
            if (config.path() != null) {
                throw new ParameterException(spec.commandLine(),
                        "give a config PATH (or -c PATH) or --admin HOST:PORT, not both");
            }
            return explainLive();
        }
        ConfigExplainer.Result result = new ConfigExplainer(config.translatorOptions())
                .explain(config.requiredPath(), method, url, headers);
        if (result.error() != null) {
            System.err.println("gatehouse explain: " + result.error());
            return 2;
        }
        System.out.print(result.answer().text());
        return result.answer().routed() ? 0 : 1;
    }

    /** The admin API's {@code /explain}: the same answer, from the config the gateway serves now. */
    private int explainLive() throws InterruptedException {
        StringBuilder query = new StringBuilder("/explain?method=").append(encode(method)).append("&url=")
                .append(encode(url));
        headers.forEach(h -> query.append("&header=").append(encode(h)));
        HttpRequest.Builder request = HttpRequest.newBuilder(admin.resolve(query.toString()))
                .timeout(Duration.ofSeconds(10));
        if (adminToken != null && !adminToken.isBlank()) {
            request.header("Authorization", "Bearer " + adminToken.trim());
        }
        try {
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = new ObjectMapper().readTree(r.body());
            if (r.statusCode() != 200) {
                System.err.println("gatehouse explain: " + admin + " answered " + r.statusCode() + ": "
                        + body.path("error").asText(r.body().trim()));
                return 2;
            }
            System.out.print(body.path("text").asText());
            JsonNode matched = body.at("/explanation/matchedRule");
            return matched.isMissingNode() || matched.isNull() ? 1 : 0;
        } catch (IOException e) {
            System.err.println("gatehouse explain: " + DoctorCommand.unreadable(admin, e));
            return 2;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
