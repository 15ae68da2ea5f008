package dev.gatehouse.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Serve the Gateway API resources of a YAML file or folder; reload when they change.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM or Ctrl-C", "1:could not start", "2:usage error (no config, bad option)"})
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
