package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.RequestMirrorSpec;
import dev.gatehouse.routing.balance.Cluster;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Gateway API {@code RequestMirror}: asks the proxy to copy the request to another cluster (its response is
 * dropped), for a share of requests. An unresolved cluster mirrors nothing, as the spec's invalid-ref rule says.
 */
public final class RequestMirrorFilter implements HttpFilter {
    private final Cluster cluster;
    private final double percent;

    RequestMirrorFilter(Cluster cluster, double percent) {
        this.cluster = cluster;
        this.percent = percent;
    }

    public static RequestMirrorFilter compile(RequestMirrorSpec spec, Function<String, Cluster> clusters) {
        if (Double.isNaN(spec.percent()) || spec.percent() < 0 || spec.percent() > 100) {
            throw new IllegalArgumentException("RequestMirror percent " + spec.percent() + " outside 0..100");
        }
        Cluster cluster = spec.cluster() == null ? null : clusters.apply(spec.cluster());
        return new RequestMirrorFilter(cluster, spec.percent());
    }

    /** {@code null} when the reference was invalid. */
    public Cluster cluster() {
        return cluster;
    }

    @Override
    public FilterResult onRequest(HttpExchange exchange) {
        if (cluster != null && (percent >= 100 || (percent > 0 && ThreadLocalRandom.current().nextDouble(100) < percent))) {
            exchange.addMirror(cluster);
        }
        return FilterResult.CONTINUE;
    }

    @Override
    public String describe() {
        return "RequestMirror -> " + (cluster == null ? "(invalid backendRef: mirrors nothing)" : cluster.name())
                + " " + percentText() + "%";
    }

    private String percentText() {
        return percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent);
    }

    /** Not side-effect free: it draws a random number per request. */
    @Override
    public String toString() {
        return "RequestMirror[" + (cluster == null ? "(invalid)" : cluster.name()) + " " + percent + "%]";
    }
}
