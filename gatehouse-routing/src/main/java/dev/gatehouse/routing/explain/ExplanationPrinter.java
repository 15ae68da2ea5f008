package dev.gatehouse.routing.explain;

import dev.gatehouse.ir.PolicyChoice;
import dev.gatehouse.routing.explain.Explanation.BackendExplanation;
import dev.gatehouse.routing.explain.Explanation.FilterExplanation;
import dev.gatehouse.routing.explain.Explanation.ListenerExplanation;
import dev.gatehouse.routing.explain.Explanation.RuleExplanation;
import dev.gatehouse.routing.explain.Explanation.Verdict;
import dev.gatehouse.routing.explain.Explanation.VirtualHostExplanation;

import java.util.stream.Collectors;

/**
 * Renders an {@link Explanation} as text for {@code gatehouse explain} and {@code /explain?format=text}.
 * Deterministic (same explanation, same bytes: golden files pin it), one fact per line, stages in the
 * order the data plane takes them; "->" marks what was chosen.
 */
public final class ExplanationPrinter {
    private ExplanationPrinter() {
    }

    public static String print(Explanation e) {
        StringBuilder out = new StringBuilder();
        ExplainRequest r = e.request();
        boolean l4 = r.scheme().equals("tcp") || r.scheme().equals("tls") || r.scheme().equals("udp");
        if (l4) {
            // a connection, not a request: no method, path or headers to speak of
            out.append("connection: ").append(r.scheme()).append("://").append(r.host()).append(':').append(r.port())
                    .append('\n');
        } else {
            out.append("request: ").append(r.method()).append(' ').append(r.url()).append('\n');
        }
        for (ExplainRequest.Header h : r.headers()) {
            out.append("  ").append(h.name()).append(": ").append(h.value()).append('\n');
        }
        if (r.sniHost() != null && !r.sniHost().equals(r.host())) {
            out.append("  (TLS server name ").append(r.sniHost()).append(")\n");
        }
        out.append("port: ").append(e.port());
        if (e.protocol() != null) {
            out.append(' ').append(e.protocol());
        }
        out.append(" (HTTP ports: ").append(e.httpPorts().isEmpty() ? "none"
                : e.httpPorts().stream().map(String::valueOf).collect(Collectors.joining(", "))).append(")\n");
        if (!e.listeners().isEmpty()) {
            out.append("listeners:\n");
            for (ListenerExplanation l : e.listeners()) {
                out.append(l.chosen() ? "  -> " : "     ").append(l.id()).append(" hostname=").append(l.hostname())
                        .append(": ").append(l.reason()).append('\n');
            }
        }
        String listener = e.listeners().stream().filter(ListenerExplanation::chosen).map(ListenerExplanation::id)
                .findFirst().orElse(null);
        // A 421 is answered before any virtual host is looked at: nothing to print then.
        if (listener != null && e.outcome().kind() != Explanation.OutcomeKind.MISDIRECTED) {
            out.append("virtual hosts of ").append(listener).append(':');
            out.append(e.virtualHosts().isEmpty() ? " none\n" : "\n");
            for (VirtualHostExplanation v : e.virtualHosts()) {
                out.append(v.chosen() ? "  -> " : "     ").append(v.hostname()).append(": ").append(v.reason()).append('\n');
            }
        }
        String vhost = e.virtualHosts().stream().filter(VirtualHostExplanation::chosen)
                .map(VirtualHostExplanation::hostname).findFirst().orElse(null);
        if (vhost != null) {
            out.append("rules of ").append(vhost).append(", in precedence order:\n");
            for (RuleExplanation rule : e.rules()) {
                out.append(rule.verdict() == Verdict.MATCHED ? "  -> " : "     ")
                        .append('[').append(rule.position()).append("] ").append(rule.verdict()).append(' ')
                        .append(RouteExplainer.refText(rule.ref())).append(": ").append(rule.conditions()).append('\n');
                if (rule.verdict() != Verdict.MATCHED) {
                    out.append("          ").append(rule.reason()).append('\n');
                }
            }
        }
        if (e.matchedRule() != null && e.rules().isEmpty()) {
            // an L4 port has one rule per route (per server name on TLS), nothing to rank
            out.append("route: ").append(e.matchedRule().kind()).append(' ').append(e.matchedRule().qualifiedName())
                    .append(" rule ").append(e.matchedRule().ruleIndex()).append('\n');
        }
        if (e.matchedRule() != null) {
            if (!e.policies().isEmpty()) {
                out.append("policies (the most specific target wins, whole: rule, route, listener, Gateway):\n");
                for (PolicyChoice c : e.policies()) {
                    out.append("  ").append(c.describe()).append('\n');
                }
            }
            out.append("filters:").append(e.filters().isEmpty() ? " none\n" : "\n");
            printFilters(out, e, "  ");
            out.append("backends:").append(e.backends().isEmpty() ? " none\n" : "\n");
            for (BackendExplanation b : e.backends()) {
                out.append("  ").append(b.cluster() == null ? "(invalid)" : b.cluster())
                        .append(" weight ").append(b.weight()).append(" (").append(RouteExplainer.percent(b.sharePercent()))
                        .append(')');
                if (b.invalidReason() != null) {
                    out.append(": ").append(b.invalidReason());
                } else {
                    if (b.algorithm() != null && !b.algorithm().equals("RoundRobin")) {
                        out.append(' ').append(b.algorithm()); // round robin, the default, goes unsaid
                    }
                    out.append(" endpoints: ").append(b.endpoints().isEmpty() ? "none" : String.join(", ", b.endpoints()));
                }
                out.append('\n');
                for (FilterExplanation f : b.filters()) {
                    out.append("      filter ").append(f.summary()).append(" [").append(f.effect()).append("]\n");
                }
            }
        }
        out.append("outcome: ").append(e.outcome().summary()).append('\n');
        for (String note : e.notes()) {
            out.append("note: ").append(note).append('\n');
        }
        return out.toString();
    }

    private static void printFilters(StringBuilder out, Explanation e, String indent) {
        int i = 1;
        for (FilterExplanation f : e.filters()) {
            out.append(indent).append(i++).append(". ").append(f.summary()).append('\n');
            out.append(indent).append("     ").append(f.effect()).append('\n');
        }
    }
}
