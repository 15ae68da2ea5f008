package dev.gatehouse.app.cli;

import dev.gatehouse.app.explain.ConfigExplainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Say what gatehouse would do with a request, without sending it or binding any port: "
                + "listener, every rule in precedence order and why it did or did not match, filters, backends, "
                + "and the status conditions of routes that did not attach.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:a rule matches (whatever it then answers)",
                "1:the request would get 404 or find nothing listening",
                "2:usage error, the config does not load, or the request is malformed"})
final class ExplainCommand implements Callable<Integer> {
    @Mixin
    ConfigSource config;

    @Option(names = {"-X", "--method"}, defaultValue = "GET", description = "Request method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--url", required = true,
            description = "The request's URL; its port picks the listener, e.g. http://echo.example.com:8080/v1/hello; "
                    + "tcp://, udp:// or tls://host:port for a connection to an L4 port (tls: host = SNI name)")
    String url;

    @Option(names = {"-H", "--header"}, description = "'Name: value', repeatable. A Host header overrides the URL's host.")
    List<String> headers = new ArrayList<>();

    @Override
    public Integer call() {
        ConfigExplainer.Result result = new ConfigExplainer(config.translatorOptions())
                .explain(config.requiredPath(), method, url, headers);
        if (result.error() != null) {
            System.err.println("gatehouse explain: " + result.error());
            return 2;
        }
        System.out.print(result.answer().text());
        return result.answer().routed() ? 0 : 1;
    }
}
