package dev.gatehouse.app.cli;

import dev.gatehouse.app.doctor.AdminDoctor;
import dev.gatehouse.app.doctor.ConfigDoctor;
import dev.gatehouse.app.doctor.Finding;
import dev.gatehouse.app.doctor.FindingReport;
import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.Translation;
import dev.gatehouse.translate.Translator;
import dev.gatehouse.translate.TranslatorOptions;
import dev.gatehouse.translate.YamlResourceLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** Exit codes: 0 clean or warnings only, 1 with errors, 2 when the config or the admin API cannot be read. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check a config (or a running gateway through its admin API) for the usual mistakes, "
                + "and print each with its fix.")
final class DoctorCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", description = "A YAML file or a folder of YAML files.")
    Path config;

    @Option(names = "--admin", description = "Check a running gateway instead, e.g. http://127.0.0.1:9901")
    URI admin;

    @Option(names = "--admin-token", defaultValue = "${env:GATEHOUSE_ADMIN_TOKEN}",
            description = "Bearer token of the admin API (default: $GATEHOUSE_ADMIN_TOKEN).")
    String adminToken;

    @Option(names = "--controller-name", defaultValue = TranslatorOptions.DEFAULT_CONTROLLER_NAME)
    String controllerName;

    @Override
    public Integer call() throws InterruptedException {
        if ((config == null) == (admin == null)) {
            System.err.println("gatehouse doctor: give a config path or --admin URL (one of them)");
            return 2;
        }
        return admin != null ? checkAdmin() : checkConfig();
    }

    private int checkAdmin() throws InterruptedException {
        List<Finding> findings;
        try {
            findings = new AdminDoctor().check(admin, adminToken);
        } catch (IOException e) {
            System.err.println("gatehouse doctor: cannot read the admin API at " + admin + ": " + e.getMessage());
            return 2;
        }
        return FindingReport.print(System.out, admin.toString(), findings, AdminDoctor.NOT_CHECKED);
    }

    private int checkConfig() {
        if (!Files.exists(config)) {
            System.err.println("gatehouse doctor: config path " + config + " does not exist");
            return 2;
        }
        YamlResourceLoader.Result loaded = new YamlResourceLoader().load(config);
        if (loaded.hasErrors()) {
            loaded.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR)
                    .forEach(d -> System.out.println("error: " + d.describe()));
            System.out.println(config + ": rejected before any check could run; 'gatehouse validate' says the same");
            return 2;
        }
        Translation translation = new Translator(new TranslatorOptions(controllerName)).translate(loaded.resources(), 1);
        if (translation.hasErrors()) {
            translation.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR)
                    .forEach(d -> System.out.println("error: " + d.describe()));
            System.out.println(config + ": rejected before any check could run; 'gatehouse validate' says the same");
            return 2;
        }
        List<Finding> findings = new ConfigDoctor(loaded.resources(), translation, Instant.now(), controllerName).check();
        return FindingReport.print(System.out, config.toString(), findings, List.of());
    }
}
