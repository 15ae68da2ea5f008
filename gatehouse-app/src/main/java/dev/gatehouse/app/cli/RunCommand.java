package dev.gatehouse.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Serve the Gateway API resources of a YAML file or folder; reload when they change.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM or Ctrl-C, after draining", "2:could not start (the admin port in use, a bad option "
                + "value, an unwritable access log) or usage error (no config)", "130/143:a second Ctrl-C/SIGTERM during the drain"})
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigSource config;

    @Mixin
    GatewayOptions options;

    @Override
    public Integer call() throws Exception {
        GatewayRuntime runtime = new GatewayRuntime(config.requiredPath(), config.translatorOptions(), options);
        runtime.awaitShutdown();
        return 0;
    }
}
