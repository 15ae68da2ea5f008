package dev.gatehouse.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

// scope INHERIT: every subcommand answers --version too
@Command(name = "gatehouse", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        scope = ScopeType.INHERIT,
        description = "An API gateway for Kubernetes, configured with Gateway API resources.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the command did what was asked", "1:it did not (each command's --help says what its codes mean)",
                "2:usage error: an unknown option, a missing or non-existent config path"},
        subcommands = {RunCommand.class, ValidateCommand.class, DemoCommand.class, EchoCommand.class,
                ExplainCommand.class, DoctorCommand.class, EdgeCommand.class, TrainCommand.class})
public final class GatehouseCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
