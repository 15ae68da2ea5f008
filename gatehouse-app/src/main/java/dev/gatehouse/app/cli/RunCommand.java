package dev.gatehouse.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Serve the Gateway API resources of a YAML file or folder; reload when they change.",
                "With --kubernetes, read them from the cluster's API instead and write their status."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM or Ctrl-C, after draining", "2:could not start (the admin port in use, a bad option "
                + "value, an unwritable access log) or usage error (no config)", "130/143:a second Ctrl-C/SIGTERM during the drain"})
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigSource config;

    @Mixin
    GatewayOptions options;

    @Mixin
    KubernetesFlags kubernetes;

    @Override
    public Integer call() throws Exception {
        TerminationSignals signals = TerminationSignals.install();
        GatewayRuntime runtime;
        if (kubernetes.enabled()) {
            if (config.path() != null) {
                throw new ParameterException(config.spec.commandLine(), "--kubernetes reads the resources from the "
                        + "cluster: give it or a config PATH, not both");
            }
            runtime = new GatewayRuntime(null, kubernetes.settings(config.controllerName), config.translatorOptions(),
                    options);
        } else {
            runtime = new GatewayRuntime(config.requiredPath(), null, config.translatorOptions(), options);
        }
        runtime.awaitShutdown(signals);
        return 0;
    }
}
