package dev.gatehouse.app.cli;

import picocli.CommandLine.Command;

@Command(name = "gatehouse", mixinStandardHelpOptions = true, version = "gatehouse 0.1.0",
        description = "An API gateway for Kubernetes, configured with Gateway API resources.",
        subcommands = {RunCommand.class, ValidateCommand.class, DemoCommand.class, EchoCommand.class,
                ExplainCommand.class, DoctorCommand.class})
public final class GatehouseCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
