package dev.gatehouse.app.cli;

import dev.gatehouse.app.control.ConfigLoader;
import dev.gatehouse.app.control.StatusProblems;
import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.ResourceStatus;
import dev.gatehouse.translate.TranslatorOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Exit codes: 0 when the config loads and every resource is accepted with its references resolved;
 * 1 when the config is rejected or serves nothing (either way it would not replace a running one); 3 when it
 * loads but some resource
 * has a problem condition (that resource would be left out or partly served).
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a config without serving it: errors, and every resource's status conditions.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "A YAML file or a folder of YAML files.")
    Path config;

    @Option(names = "--controller-name", defaultValue = TranslatorOptions.DEFAULT_CONTROLLER_NAME)
    String controllerName;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        if (!Files.exists(config)) {
            System.err.println("gatehouse: config path " + config + " does not exist");
            return 2;
        }
        ConfigLoader.Result result = new ConfigLoader(new TranslatorOptions(controllerName)).load(config, 1);
        int errors = 0;
        int warnings = 0;
        for (Diagnostic d : result.diagnostics()) {
            out.println((d.severity() == Diagnostic.Severity.ERROR ? "error: " : "warning: ") + d.describe());
            if (d.severity() == Diagnostic.Severity.ERROR) {
                errors++;
            } else {
                warnings++;
            }
        }
        if (result.translation() == null || result.hasErrors()) {
            out.printf("%s: INVALID (%d errors, %d warnings); a running gateway would keep its last good config%n",
                    config, errors, warnings);
            return 1;
        }
        int problems = 0;
        for (ResourceStatus s : result.translation().statuses()) {
            out.printf("%s %s/%s%n", s.kind(), s.namespace(), s.name());
            s.conditions().forEach(c -> printCondition(out, "  ", c));
            for (ResourceStatus.ListenerStatus l : s.listeners()) {
                out.printf("  listener %s (attachedRoutes=%d)%n", l.name(), l.attachedRoutes());
                l.conditions().forEach(c -> printCondition(out, "    ", c));
            }
            for (ResourceStatus.ParentStatus p : s.parents()) {
                out.printf("  parent %s%n", p.parentRef());
                p.conditions().forEach(c -> printCondition(out, "    ", c));
            }
            problems += StatusProblems.of(s).size();
        }
        String nothing = result.translation().nothingServed();
        if (nothing != null) {
            out.printf("%s: INVALID: %s; a running gateway would keep its last good config%n", config, nothing);
            return 1;
        }
        if (problems > 0) {
            out.printf("%s: loads, but %d condition(s) report problems (see above)%n", config, problems);
            return 3;
        }
        out.printf("%s: OK (%d resources with status, %d warnings)%n", config,
                result.translation().statuses().size(), warnings);
        return 0;
    }

    private static void printCondition(PrintStream out, String indent, Condition c) {
        out.printf("%s%s=%s reason=%s: %s%n", indent, c.type(), c.status(), c.reason(), c.message());
    }
}
