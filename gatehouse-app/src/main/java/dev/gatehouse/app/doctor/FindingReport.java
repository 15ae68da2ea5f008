package dev.gatehouse.app.doctor;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;

/** Prints findings (errors first, then by resource) and a summary line; says what the exit code should be. */
public final class FindingReport {
    private static final Comparator<Finding> ORDER = Comparator.comparing(Finding::severity)
            .thenComparing(Finding::resource).thenComparing(Finding::check).thenComparing(Finding::what);

    private FindingReport() {
    }

    /** Errors first, then by resource: the order every command prints findings in. */
    public static List<Finding> sorted(List<Finding> findings) {
        return findings.stream().sorted(ORDER).toList();
    }

    /** @return 1 when any finding is an error, else 0 */
    public static int print(PrintStream out, String subject, List<Finding> findings, List<String> notes) {
        List<Finding> sorted = sorted(findings);
        sorted.forEach(f -> out.println(f.describe()));
        notes.forEach(n -> out.println("note: " + n));
        long errors = sorted.stream().filter(f -> f.severity() == Finding.Severity.ERROR).count();
        long warnings = sorted.size() - errors;
        if (sorted.isEmpty()) {
            out.println(subject + ": no problems found");
        } else {
            out.println(subject + ": " + errors + " error(s), " + warnings + " warning(s)");
        }
        return errors > 0 ? 1 : 0;
    }
}
