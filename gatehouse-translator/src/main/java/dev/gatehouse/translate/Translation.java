package dev.gatehouse.translate;

import dev.gatehouse.ir.Snapshot;

import java.util.List;

/**
 * The result of translating a {@link ResourceSet}.
 *
 * @param snapshot what the data plane should serve
 * @param statuses every relevant resource's status, sorted by kind, namespace, name
 * @param diagnostics warnings (skipped kinds, ignored fields) and errors; any ERROR means "do not serve this"
 */
public record Translation(Snapshot snapshot, List<ResourceStatus> statuses, List<Diagnostic> diagnostics) {
    public Translation {
        statuses = List.copyOf(statuses);
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
    }
}
