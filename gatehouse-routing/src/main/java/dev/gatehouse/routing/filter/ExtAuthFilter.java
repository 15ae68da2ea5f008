package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.ExtAuthSpec;
import dev.gatehouse.routing.balance.Cluster;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * External authorization over HTTP (a SecurityPolicy's {@code extAuth}, GEP-1494's {@code ExternalAuth} filter):
 * the request waits ({@link FilterResult.Suspend}) while the service is asked, on the request's own event loop
 * through the proxy's upstream connections ({@link UpstreamCalls}). The check carries the client's method, path
 * (with the configured prefix) and the headers Envoy's ext_authz sends (Host, Authorization, plus
 * {@code headersToExtAuth}), never the body. A 2xx answer lets the request go on with {@code headersToBackend}
 * copied from it; any other answer is the client's (status, headers and body, bounded). A timeout, a refused
 * connection or a broken answer fails closed with {@code statusOnError}, or lets the request through when
 * {@code failOpen}.
 *
 * <p>Kept in this package, beside {@link CorsFilter}: the SecurityPolicy's filters and the HTTPRoute filter
 * compiler both build it.
 */
public final class ExtAuthFilter implements HttpFilter {
    private static final Logger LOG = LoggerFactory.getLogger(ExtAuthFilter.class);
    /** The longest denial body relayed to the client; a longer one is a broken answer. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;
    /** EG's body when the check could not be made (Envoy's own answer is empty). */
    static final String ERROR_BODY = "External authorization failed.\n";
    private static final long WARN_EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    /**
     * Answer headers never relayed: the connection's and the framing's (we frame the answer ourselves), and, when
     * every 2xx header goes upstream (GEP-1494's empty allowedResponseHeaders), those that describe the answer's
     * body and would corrupt the request's (Content-Type of a POST...) or its Host.
     */
    private static final Set<AsciiString> NOT_RELAYED = Set.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, HttpHeaderNames.PROXY_AUTHENTICATE,
            HttpHeaderNames.PROXY_AUTHORIZATION);
    private static final Set<AsciiString> NOT_COPIED_UPSTREAM = Set.of(HttpHeaderNames.HOST,
            HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.CONTENT_ENCODING, HttpHeaderNames.DATE, HttpHeaderNames.SERVER);

    private final ExtAuthSpec spec;
    /** usable clusters and their cumulative weights; empty when none resolved */
    private final Cluster[] clusters;
    private final int[] cumulative;
    private final String unusable;
    private final AsciiString[] toExtAuth;
    private final AsciiString[] toBackend;
    private final Duration timeout;
    private final HttpResponseStatus statusOnError;
    /** when a failed check was last logged: a dead service logs a line every few seconds, not one per request */
    private final java.util.concurrent.atomic.AtomicLong lastWarnNanos = new java.util.concurrent.atomic.AtomicLong(
            System.nanoTime() - WARN_EVERY_NANOS);

    private ExtAuthFilter(ExtAuthSpec spec, Cluster[] clusters, int[] cumulative, String unusable) {
        this.spec = spec;
        this.clusters = clusters;
        this.cumulative = cumulative;
        this.unusable = unusable;
        this.toExtAuth = spec.headersToExtAuth().stream().map(AsciiString::of).toArray(AsciiString[]::new);
        this.toBackend = spec.headersToBackend().stream().map(AsciiString::of).toArray(AsciiString[]::new);
        this.timeout = spec.timeout() == null ? ExtAuthSpec.DEFAULT_TIMEOUT : spec.timeout();
        this.statusOnError = HttpResponseStatus.valueOf(spec.statusOnError());
    }

    /** @param clusters the snapshot's clusters by name ({@code null} for unknown names) */
    public static ExtAuthFilter compile(ExtAuthSpec spec, Function<String, Cluster> clusters) {
        if (spec.statusOnError() < 400 || spec.statusOnError() > 599) {
            throw new IllegalArgumentException("ext-auth statusOnError " + spec.statusOnError() + " is not 4xx or 5xx");
        }
        if (spec.timeout() != null && (spec.timeout().isNegative() || spec.timeout().isZero())) {
            throw new IllegalArgumentException("ext-auth timeout must be positive");
        }
        int n = 0;
        Cluster[] usable = new Cluster[spec.backends().size()];
        int[] cumulative = new int[usable.length];
        int total = 0;
        String unusable = null;
        for (ExtAuthSpec.Backend b : spec.backends()) {
            Cluster c = b.cluster() == null ? null : clusters.apply(b.cluster());
            if (c == null) {
                unusable = b.invalidReason() != null ? b.invalidReason() : "cluster " + b.cluster() + " is not in the snapshot";
            } else if (b.weight() > 0) {
                total += b.weight();
                usable[n] = c;
                cumulative[n++] = total;
            }
        }
        if (n == 0 && unusable == null) {
            unusable = "no backendRef with a weight above 0";
        }
        return new ExtAuthFilter(spec, java.util.Arrays.copyOf(usable, n), java.util.Arrays.copyOf(cumulative, n),
                n == 0 ? unusable : null);
    }

    @Override
    public FilterResult onRequest(HttpExchange ex) {
        HttpHeaders headers = ex.request().headers();
        // a client's own copy of a header the service vouches for must never pass as the service's
        for (AsciiString name : toBackend) {
            headers.remove(name);
        }
        Cluster cluster = pick();
        if (cluster == null) {
            ex.recordAuth(AuthOutcome.ERROR);
            return respond(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "internal error: the ext-auth service of " + spec.source() + " is unusable: " + unusable + "\n");
        }
        HttpRequest check = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, ex.request().method(), target(ex),
                Unpooled.EMPTY_BUFFER);
        HttpHeaders out = check.headers();
        copy(headers, out, HttpHeaderNames.HOST);
        copy(headers, out, HttpHeaderNames.AUTHORIZATION);
        for (AsciiString name : toExtAuth) {
            copy(headers, out, name);
        }
        out.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return new FilterResult.Suspend(ex.upstreamCalls().call(cluster, check, timeout, MAX_ANSWER_BYTES)
                .handle((answer, error) -> error != null ? failed(ex, cluster, error) : decide(ex, answer)));
    }

    private String target(HttpExchange ex) {
        if (spec.pathOverride() != null) {
            return spec.pathOverride();
        }
        String uri = ex.request().uri();
        return spec.pathPrefix() == null ? uri : spec.pathPrefix() + uri;
    }

    private Cluster pick() {
        if (clusters.length <= 1) {
            return clusters.length == 0 ? null : clusters[0];
        }
        int r = ThreadLocalRandom.current().nextInt(cumulative[cumulative.length - 1]);
        for (int i = 0; i < cumulative.length; i++) {
            if (r < cumulative[i]) {
                return clusters[i];
            }
        }
        return clusters[clusters.length - 1];
    }

    private static void copy(HttpHeaders from, HttpHeaders to, AsciiString name) {
        List<String> values = from.getAll(name);
        if (!values.isEmpty()) {
            to.set(name, values);
        }
    }

    private FilterResult decide(HttpExchange ex, UpstreamCalls.Answer answer) {
        if (answer.status() >= 200 && answer.status() < 300) {
            HttpHeaders upstream = ex.request().headers();
            if (spec.allResponseHeaders()) {
                for (Map.Entry<String, String> h : answer.headers()) {
                    AsciiString name = AsciiString.of(h.getKey()).toLowerCase();
                    if (!NOT_RELAYED.contains(name) && !NOT_COPIED_UPSTREAM.contains(name)) {
                        upstream.remove(name);
                    }
                }
                for (Map.Entry<String, String> h : answer.headers()) {
                    AsciiString name = AsciiString.of(h.getKey()).toLowerCase();
                    if (!NOT_RELAYED.contains(name) && !NOT_COPIED_UPSTREAM.contains(name)) {
                        upstream.add(name, h.getValue());
                    }
                }
            } else {
                for (AsciiString name : toBackend) {
                    copy(answer.headers(), upstream, name);
                }
            }
            ex.recordAuth(AuthOutcome.ALLOWED);
            return FilterResult.CONTINUE;
        }
        ex.recordAuth(answer.status() == 401 ? AuthOutcome.UNAUTHENTICATED : AuthOutcome.DENIED);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()),
                Unpooled.wrappedBuffer(answer.body()));
        for (Map.Entry<String, String> h : answer.headers()) {
            if (!NOT_RELAYED.contains(AsciiString.of(h.getKey()).toLowerCase())) {
                r.headers().add(h.getKey(), h.getValue());
            }
        }
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        return new FilterResult.Respond(r);
    }

    private FilterResult failed(HttpExchange ex, Cluster cluster, Throwable error) {
        ex.recordAuth(AuthOutcome.ERROR);
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        long now = System.nanoTime();
        long last = lastWarnNanos.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarnNanos.compareAndSet(last, now)) {
            LOG.warn("ext-auth check of {} via {} failed ({}; logged once every 5 s, counted as auth outcome"
                            + " error): {}", spec.source(), cluster.name(),
                    spec.failOpen() ? "failOpen: let through" : "answered " + statusOnError.code(), cause.toString());
        }
        return spec.failOpen() ? FilterResult.CONTINUE : respond(statusOnError, ERROR_BODY);
    }

    private static FilterResult respond(HttpResponseStatus status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return new FilterResult.Respond(r);
    }

    @Override
    public String type() {
        return "ExtAuth";
    }

    @Override
    public String describe() {
        StringBuilder d = new StringBuilder("ExtAuth (").append(spec.source()).append(") -> ");
        if (clusters.length == 0) {
            d.append("(unusable, answers 500: ").append(unusable).append(')');
        } else {
            for (int i = 0; i < clusters.length; i++) {
                d.append(i == 0 ? "" : ", ").append(clusters[i].name());
            }
        }
        if (spec.pathOverride() != null) {
            d.append(" path ").append(spec.pathOverride());
        } else if (spec.pathPrefix() != null) {
            d.append(" path prefix ").append(spec.pathPrefix());
        }
        return d.append(", timeout ").append(timeout.toMillis()).append(" ms, ")
                .append(spec.failOpen() ? "fails open" : "fails closed with " + statusOnError.code()).toString();
    }
}
