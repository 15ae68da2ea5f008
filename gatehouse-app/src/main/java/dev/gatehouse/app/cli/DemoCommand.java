package dev.gatehouse.app.cli;

import dev.gatehouse.app.demo.EchoServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Starts two echo backends on 127.0.0.1:3001 and :3002 and serves {@code examples/quickstart} (the copy in
 * the working directory when there is one, so edits to it hot-reload; else the copy built into the jar).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run gatehouse on the built-in demo: echo backends plus examples/quickstart "
                + "(or the config PATH given).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM or Ctrl-C, after draining", "2:could not start (a demo or admin port in use, a bad "
                + "option value) or usage error", "130/143:a second Ctrl-C/SIGTERM during the drain"})
final class DemoCommand implements Callable<Integer> {
    static final List<String> QUICKSTART_FILES = List.of("00-gateway.yaml", "10-backends.yaml", "20-routes.yaml");
    private static final InetSocketAddress ECHO_V1 = new InetSocketAddress("127.0.0.1", 3001);
    private static final InetSocketAddress ECHO_V2 = new InetSocketAddress("127.0.0.1", 3002);
    /** The listener port of examples/quickstart (00-gateway.yaml). */
    private static final int QUICKSTART_PORT = 8080;

    /** Optional here: without one the demo serves examples/quickstart. */
    @Mixin
    ConfigSource config;

    @Mixin
    GatewayOptions options;

    @Override
    public Integer call() throws Exception {
        failIfPortsInUse();
        TerminationSignals signals = TerminationSignals.install();
        Path dir = config.path() != null ? config.requiredPath() : quickstart();
        try (EchoServer v1 = new EchoServer(ECHO_V1, "echo-v1", "default");
             EchoServer v2 = new EchoServer(ECHO_V2, "echo-v2", "default")) {
            GatewayRuntime runtime = new GatewayRuntime(dir, null, config.translatorOptions(), options);
            System.out.println("""

                    gatehouse demo: echo backends on 127.0.0.1:3001 (echo-v1) and :3002 (echo-v2), config %s
                    Try:
                      curl -H 'Host: echo.example.com' http://127.0.0.1:8080/v1/hello
                      curl -H 'Host: echo.example.com' http://127.0.0.1:8080/v2/hello          # adds X-Gatehouse-Demo
                      curl --http2-prior-knowledge -H 'Host: echo.example.com' http://127.0.0.1:8080/v1/h2
                      for i in $(seq 10); do curl -s -H 'Host: echo.example.com' http://127.0.0.1:8080/canary | grep -o 'echo-v.'; done   # 80/20
                      curl -i -H 'Host: echo.example.com' http://127.0.0.1:8080/old            # 301 to /v1/hello
                      curl -N -H 'Host: echo.example.com' http://127.0.0.1:8080/sse            # events stream as they come
                      curl -i http://127.0.0.1:8080/v1/hello                                   # 404: no route for that host
                      curl http://127.0.0.1:9901/config                                        # the running snapshot
                      open http://127.0.0.1:9901/ui/ in a browser                              # the dashboard
                    Edit %s and the gateway reloads. Ctrl-C stops.
                    """.formatted(dir, dir));
            runtime.awaitShutdown(signals);
        }
        return 0;
    }

    /**
     * A second demo would find every port taken: say so in one line, naming them, instead of a BindException.
     */
    private void failIfPortsInUse() {
        List<String> busy = new ArrayList<>();
        checkFree(busy, ECHO_V1, "echo-v1 backend");
        checkFree(busy, ECHO_V2, "echo-v2 backend");
        if (config.path() == null) { // the quickstart is served: its listener port is known
            checkFree(busy, new InetSocketAddress(options.bind, QUICKSTART_PORT), "quickstart listener");
        }
        InetSocketAddress admin = GatewayRuntime.adminAddress(options);
        if (admin != null) {
            checkFree(busy, admin, "admin");
        }
        if (!busy.isEmpty()) {
            throw StartupFailure.demoPortsInUse(String.join(", ", busy));
        }
    }

    private static void checkFree(List<String> busy, InetSocketAddress address, String what) {
        if (PortCheck.inUse(address)) {
            busy.add(StartupFailure.hostPort(address) + " (" + what + ")");
        }
    }

    private static Path quickstart() throws IOException {
        Path local = Path.of("examples", "quickstart");
        if (Files.isDirectory(local)) {
            return local;
        }
        Path tmp = Files.createTempDirectory("gatehouse-quickstart");
        for (String name : QUICKSTART_FILES) {
            try (InputStream in = DemoCommand.class.getResourceAsStream("/quickstart/" + name)) {
                if (in == null) {
                    throw new IOException("quickstart file " + name + " missing from the jar");
                }
                Files.copy(in, tmp.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return tmp;
    }
}
