package dev.gatehouse.app.cli;

import dev.gatehouse.app.control.ConfigLoader;
import dev.gatehouse.app.doctor.AdminDoctor;
import dev.gatehouse.app.doctor.Finding;
import dev.gatehouse.app.doctor.FindingReport;
import dev.gatehouse.translate.Diagnostic;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check a config (or a running gateway through its admin API) for the usual mistakes, "
                + "and print each with its fix.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no problems, or warnings only", "1:some finding is an error",
                "2:usage error, or the config or the admin API cannot be read"})
final class DoctorCommand implements Callable<Integer> {
    static final String DEFAULT_ADMIN = "127.0.0.1:9901";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigSource config;

    @Option(names = "--admin", arity = "0..1", fallbackValue = DEFAULT_ADMIN, converter = AdminUrl.class,
            paramLabel = "HOST:PORT|URL",
            description = "Check a running gateway instead, through its admin API: host:port as given to "
                    + "'run --admin', or a URL (alone: " + DEFAULT_ADMIN + ").")
    URI admin;

    @Option(names = "--admin-token", defaultValue = "${env:GATEHOUSE_ADMIN_TOKEN}", paramLabel = "TOKEN",
            description = "Bearer token of the admin API (default: $GATEHOUSE_ADMIN_TOKEN).")
    String adminToken;

    @Override
    public Integer call() throws InterruptedException {
        Path path = config.path();
        if ((path == null) == (admin == null)) {
            throw new ParameterException(spec.commandLine(),
                    "give a config PATH (or -c PATH) or --admin HOST:PORT, one of them");
        }
        return admin != null ? checkAdmin() : checkConfig(config.requiredPath());
    }

    private int checkAdmin() throws InterruptedException {
        List<Finding> findings;
        try {
            findings = new AdminDoctor().check(admin, adminToken);
        } catch (IOException e) {
            System.err.println("gatehouse doctor: " + unreadable(admin, e));
            return 2;
        }
        return FindingReport.print(System.out, admin.toString(), findings, AdminDoctor.NOT_CHECKED);
    }

    /** The JDK's connect failures carry no message ("...: null"): say what happened and what to check. */
    static String unreadable(URI admin, IOException e) {
        String why = e instanceof HttpConnectTimeoutException ? "connection timed out"
                : e instanceof ConnectException ? "connection refused" : null;
        if (why != null) {
            return "cannot reach the admin API at " + admin + ": " + why + "; is gatehouse running with --admin "
                    + admin.getAuthority() + "?";
        }
        return "cannot read the admin API at " + admin + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
    }

    private int checkConfig(Path path) {
        ConfigLoader.Result loaded = new ConfigLoader(config.translatorOptions()).load(path, 1);
        if (loaded.hasErrors()) {
            loaded.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR)
                    .forEach(d -> System.out.println("error: " + d.describe()));
            System.out.println(path + ": rejected before any check could run; 'gatehouse validate' says the same");
            return 2;
        }
        return FindingReport.print(System.out, path.toString(), loaded.findings(), List.of());
    }

    /** "127.0.0.1:9901", "[::1]:9901", "localhost:9901" (as {@code run --admin} takes them) or "http(s)://..." */
    static final class AdminUrl implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            String v = value.trim();
            try {
                URI uri = new URI(v.contains("://") ? v : "http://" + v);
                if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                    throw new URISyntaxException(v, "not host:port or an http(s) URL");
                }
                return uri;
            } catch (URISyntaxException e) {
                throw new TypeConversionException("--admin takes host:port (e.g. " + DEFAULT_ADMIN
                        + ") or a URL (e.g. http://" + DEFAULT_ADMIN + "), got " + value);
            }
        }
    }
}
