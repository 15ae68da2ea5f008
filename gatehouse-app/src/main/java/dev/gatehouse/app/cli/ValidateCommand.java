package dev.gatehouse.app.cli;

import dev.gatehouse.app.control.ConfigLoader;
import dev.gatehouse.app.control.StatusProblems;
import dev.gatehouse.app.doctor.Finding;
import dev.gatehouse.app.doctor.FindingReport;
import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.ResourceStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a config without serving it: errors, every resource's status conditions, and the "
                + "checks of 'gatehouse doctor' with their fixes.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the config loads and every resource is accepted with its references resolved (warnings "
                        + "do not count, unless --strict)",
                "1:the config is rejected or serves nothing (a running gateway would keep its last good config); with --strict, "
                        + "anything reported, warnings included",
                "2:usage error (no config path, or it does not exist)",
                "3:the config loads but some resource reports a problem condition or a check finds an error "
                        + "(it would be left out or partly served)"})
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    ConfigSource source;

    @Option(names = "--strict", description = "Exit 1 on anything reported: warnings, and problems that would "
            + "otherwise exit 3 (for CI that wants a clean config).")
    boolean strict;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Path config = source.requiredPath();
        ConfigLoader.Result result = new ConfigLoader(source.translatorOptions()).load(config, 1);
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
            out.println(s.resource());
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
        // the doctor's checks say what a condition cannot (a slice port named unlike its Service port), with the fix
        int checkErrors = 0;
        for (Finding f : FindingReport.sorted(result.findings())) {
            out.println(f.describe());
            if (f.severity() == Finding.Severity.ERROR) {
                checkErrors++;
            } else {
                warnings++;
            }
        }
        String nothing = result.translation().nothingServed();
        if (nothing != null) {
            out.printf("%s: INVALID: %s; a running gateway would keep its last good config%n", config, nothing);
            return 1;
        }
        if (problems > 0 || checkErrors > 0) {
            out.printf("%s: loads, but %d condition(s) and %d check(s) report problems, %d warning(s) (see above)%n",
                    config, problems, checkErrors, warnings);
            return strict ? 1 : 3;
        }
        if (strict && warnings > 0) {
            out.printf("%s: loads, with %d warning(s) (see above); --strict makes them fail%n", config, warnings);
            return 1;
        }
        out.printf("%s: OK (%d resources with status, %d warnings)%n", config,
                result.translation().statuses().size(), warnings);
        return 0;
    }

    private static void printCondition(PrintStream out, String indent, Condition c) {
        out.printf("%s%s=%s reason=%s: %s%n", indent, c.type(), c.status(), c.reason(), c.message());
    }
}
