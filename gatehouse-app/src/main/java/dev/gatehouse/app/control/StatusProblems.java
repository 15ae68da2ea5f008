package dev.gatehouse.app.control;

import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.ResourceStatus;

import java.util.ArrayList;
import java.util.List;

/** Picks out the conditions an operator must see: the positive-polarity ones that are not True. */
public final class StatusProblems {
    private StatusProblems() {
    }

    public static List<String> of(ResourceStatus status) {
        List<String> problems = new ArrayList<>();
        for (Condition c : status.conditions()) {
            add(problems, "", c);
        }
        for (ResourceStatus.ListenerStatus l : status.listeners()) {
            for (Condition c : l.conditions()) {
                add(problems, "listener " + l.name() + ": ", c);
            }
        }
        for (ResourceStatus.ParentStatus p : status.parents()) {
            for (Condition c : p.conditions()) {
                add(problems, "parent " + p.parentRef() + ": ", c);
            }
        }
        return problems;
    }

    private static void add(List<String> out, String prefix, Condition c) {
        boolean bad = switch (c.type()) {
            case "Conflicted", "OverlappingTLSConfig" -> "True".equals(c.status());
            // a count, not a health: no ListenerSet attached is fine, and a refused one reports on itself
            case "AttachedListenerSets" -> false;
            default -> !"True".equals(c.status());
        };
        if (bad) {
            out.add(prefix + c.type() + "=" + c.status() + " (" + c.reason() + "): " + c.message());
        }
    }
}
