package dev.gatehouse.app.cli;

import dev.gatehouse.app.explain.ConfigExplainer;
import dev.gatehouse.translate.TranslatorOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Exit codes: 0 when a rule matches (whatever it then answers), 1 when the request would get 404 or find
 * nothing listening, 2 when the config does not load or the request is malformed.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Say what gatehouse would do with a request, without sending it or binding any port: "
                + "listener, every rule in precedence order and why it did or did not match, filters, backends, "
                + "and the status conditions of routes that did not attach.")
final class ExplainCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "A YAML file or a folder of YAML files.")
    Path config;

    @Option(names = {"-X", "--method"}, defaultValue = "GET", description = "Request method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--url", required = true, description = "e.g. http://echo.example.com:8080/v1/hello")
    String url;

    @Option(names = {"-H", "--header"}, description = "'Name: value', repeatable. A Host header overrides the URL's host.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--controller-name", defaultValue = TranslatorOptions.DEFAULT_CONTROLLER_NAME)
    String controllerName;

    @Override
    public Integer call() {
        ConfigExplainer.Result result = new ConfigExplainer(new TranslatorOptions(controllerName))
                .explain(config, method, url, headers);
        if (result.error() != null) {
            System.err.println("gatehouse explain: " + result.error());
            return 2;
        }
        System.out.print(result.answer().text());
        return result.answer().routed() ? 0 : 1;
    }
}
