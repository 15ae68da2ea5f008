package dev.gatehouse.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Serve the Gateway API resources of a YAML file or folder; reload when they change.")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "A YAML file or a folder of YAML files.")
    Path config;

    @Mixin
    GatewayOptions options;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(config)) {
            System.err.println("gatehouse: config path " + config + " does not exist");
            return 2;
        }
        GatewayRuntime runtime = new GatewayRuntime(config, options);
        runtime.awaitShutdown();
        return 0;
    }
}
