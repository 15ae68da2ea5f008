package dev.gatehouse.app.explain;

import dev.gatehouse.app.doctor.UnattachedRoute;
import dev.gatehouse.app.doctor.UnattachedRoutes;
import dev.gatehouse.routing.explain.Explanation;
import dev.gatehouse.routing.explain.ExplanationPrinter;

import java.util.List;

/**
 * What {@code /explain} answers: the data plane's explanation (its notes already include one line per
 * unattached route), the unattached routes as data, and the same as text.
 *
 * @param unattached routes that target the Gateway(s) the request reaches but are not attached to them
 */
public record ExplainAnswer(Explanation explanation, List<UnattachedRoute> unattached, String text) {
    public ExplainAnswer {
        unattached = List.copyOf(unattached);
    }

    static ExplainAnswer of(Explanation explanation, List<UnattachedRoute> unattached) {
        Explanation withNotes = explanation.withNotes(unattached.stream().map(UnattachedRoute::describe).toList());
        return new ExplainAnswer(withNotes, unattached, ExplanationPrinter.print(withNotes));
    }

    /** Whether the request would reach a rule (0) or get 404 / no connection (1), as the CLI's exit code says. */
    public boolean routed() {
        return explanation.matchedRule() != null;
    }
}
