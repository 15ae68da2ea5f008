package dev.gatehouse.app.admin;

import dev.gatehouse.app.control.StatusProblems;
import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.ResourceStatus;
import dev.gatehouse.translate.Translation;

import java.util.List;

/**
 * {@code GET /status} as JSON: every resource's conditions as the translator computed them, plus the
 * conditions an operator must look at ({@code problems}) so the dashboard and doctor need not re-derive them.
 */
public record StatusReport(long generation, List<Resource> resources, List<Diagnostic> warnings) {
    public StatusReport {
        resources = List.copyOf(resources);
        warnings = List.copyOf(warnings);
    }

    /** One resource, as {@link ResourceStatus} with its problems spelled out. */
    public record Resource(String kind, String namespace, String name, List<Condition> conditions,
                           List<ResourceStatus.ListenerStatus> listeners, List<ResourceStatus.ParentStatus> parents,
                           List<String> problems) {
        public Resource {
            conditions = List.copyOf(conditions);
            listeners = List.copyOf(listeners);
            parents = List.copyOf(parents);
            problems = List.copyOf(problems);
        }
    }

    public static StatusReport of(Translation t) {
        List<Resource> resources = t.statuses().stream()
                .map(s -> new Resource(s.kind(), s.namespace(), s.name(), s.conditions(), s.listeners(), s.parents(),
                        StatusProblems.of(s)))
                .toList();
        List<Diagnostic> warnings = t.diagnostics().stream()
                .filter(d -> d.severity() == Diagnostic.Severity.WARNING).toList();
        return new StatusReport(t.snapshot().generation(), resources, warnings);
    }
}
