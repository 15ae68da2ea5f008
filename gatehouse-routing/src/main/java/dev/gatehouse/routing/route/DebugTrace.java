package dev.gatehouse.routing.route;

import dev.gatehouse.ir.RouteRef;

/** Formats the one-line decision trace behind {@code X-Gatehouse-Debug}; see {@link HttpPortRouter#debugTrace}. */
final class DebugTrace {
    private DebugTrace() {
    }

    /**
     * @param listener "namespace/gateway/listener" or {@code null}
     * @param vhost virtual host hostname or {@code null}
     */
    static String format(String listener, String vhost, Route route, Backend backend) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("listener=").append(listener == null ? "-" : listener);
        sb.append(" vhost=").append(vhost == null ? "-" : vhost);
        if (route == null) {
            return sb.append(" rule=- outcome=404").toString();
        }
        RouteRef ref = route.ref();
        sb.append(" rule=").append(ref.qualifiedName()).append('#').append(ref.ruleIndex());
        if (ref.ruleName() != null) {
            sb.append('(').append(ref.ruleName()).append(')');
        }
        sb.append(" match=").append(ref.matchIndex());
        sb.append(" backend=");
        if (backend == null) {
            sb.append("none");
        } else if (backend.cluster() == null) {
            sb.append("invalid");
        } else {
            sb.append(backend.cluster().name());
        }
        return sb.toString();
    }
}
