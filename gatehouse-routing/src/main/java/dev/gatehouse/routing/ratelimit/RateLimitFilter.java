package dev.gatehouse.routing.ratelimit;

import dev.gatehouse.ir.RateLimitSpec;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.routing.filter.RateLimitHeaders;
import dev.gatehouse.routing.filter.RateLimitOutcome;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A route rule's BackendTrafficPolicy {@code rateLimit}, first of the rule's filters. A request is counted in every
 * rule it matches (EG: local and global alike) and refused (429) if any of them says so; global rules are asked of
 * the store at once and the request suspends until all have answered, then resumes on its own event loop.
 * Answers carry EG's draft-03 headers of the rule with the fewest requests left.
 */
public final class RateLimitFilter implements HttpFilter {
    static final AsciiString LIMIT = AsciiString.cached("x-ratelimit-limit");
    static final AsciiString REMAINING = AsciiString.cached("x-ratelimit-remaining");
    static final AsciiString RESET = AsciiString.cached("x-ratelimit-reset");
    private static final byte[] LOCAL_BODY = "local_rate_limited".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STORE_DOWN = "rate limit store unavailable\n".getBytes(StandardCharsets.US_ASCII);

    /** One compiled rule. */
    private record Rule(RateLimitSpec.Rule spec, RuleMatcher matcher, LocalCounter local, String limitHeader,
                        long windowMillis) { }

    /** What the rules said so far; filled on the event loop, or on the store's thread once all globals answered. */
    private static final class Verdict {
        Quota worst;
        Rule worstRule;
        Quota report;
        Rule reportRule;
        boolean storeFailed;

        void add(Rule rule, Quota q) {
            if (!q.allowed() && !rule.spec().shadowMode() && (worst == null || q.retryAfterMillis() > worst.retryAfterMillis())) {
                worst = q;
                worstRule = rule;
            }
            if (rule.spec().headersOn() && (report == null || q.remaining() < report.remaining())) {
                report = q;
                reportRule = rule;
            }
        }
    }

    private final String source;
    private final Rule[] rules;
    private final RateLimiters limiters;

    private RateLimitFilter(String source, Rule[] rules, RateLimiters limiters) {
        this.source = source;
        this.rules = rules;
        this.limiters = limiters;
    }

    public static RateLimitFilter compile(RateLimitSpec spec, RateLimiters limiters) {
        Rule[] rules = new Rule[spec.rules().size()];
        for (int i = 0; i < rules.length; i++) {
            RateLimitSpec.Rule r = spec.rules().get(i);
            Duration unit = Duration.ofSeconds(r.unit().seconds());
            boolean global = r.scope() == RateLimitSpec.Scope.GLOBAL;
            boolean distinct = r.headers().stream().anyMatch(h -> h.type() == RateLimitSpec.MatchType.DISTINCT)
                    || r.queryParams().stream().anyMatch(q -> q.type() == RateLimitSpec.MatchType.DISTINCT)
                    || r.sourceCidr() != null && r.sourceCidr().distinct()
                    || r.consumer() != null && r.consumer().type() == RateLimitSpec.MatchType.DISTINCT;
            rules[i] = new Rule(r, new RuleMatcher(r), global ? null : limiters.local(r.bucket(), r.requests(), unit, distinct),
                    global ? r.requests() + ", " + r.requests() + ";w=" + r.unit().seconds() : Long.toString(r.requests()),
                    unit.toMillis());
        }
        return new RateLimitFilter(spec.source(), rules, limiters);
    }

    @Override
    public FilterResult onRequest(HttpExchange exchange) {
        long now = System.nanoTime();
        Verdict verdict = new Verdict();
        CompletableFuture<?> globals = null;
        boolean matched = false;
        for (Rule rule : rules) {
            String key = rule.matcher().key(exchange);
            if (key == RuleMatcher.NO_MATCH) {
                continue;
            }
            matched = true;
            if (rule.local() != null) {
                verdict.add(rule, rule.local().take(key, rule.spec().cost(), now));
                continue;
            }
            CompletableFuture<?> asked = ask(rule, key, verdict);
            globals = globals == null ? asked : CompletableFuture.allOf(globals, asked);
        }
        if (!matched) {
            return FilterResult.CONTINUE;
        }
        if (globals == null) {
            return decide(exchange, verdict);
        }
        return new FilterResult.Suspend(globals.handle((ignored, e) -> decide(exchange, verdict)));
    }

    /** Asks the store; its answer is merged into the verdict under the verdict's lock (answers race each other). */
    private CompletableFuture<?> ask(Rule rule, String key, Verdict verdict) {
        GlobalRateLimitStore store = limiters.global();
        CompletionStage<Quota> answer;
        if (store == null) {
            answer = CompletableFuture.failedFuture(new IllegalStateException("no --rate-limit-redis configured"));
        } else {
            try {
                answer = store.hit(rule.spec().bucket() + (key.isEmpty() ? "" : "|" + key), rule.spec().requests(),
                        rule.windowMillis(), rule.spec().cost());
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
        }
        return answer.handle((q, e) -> {
            synchronized (verdict) {
                if (e != null) {
                    verdict.storeFailed = true;
                } else {
                    verdict.add(rule, q);
                }
            }
            return null;
        }).toCompletableFuture();
    }

    private FilterResult decide(HttpExchange exchange, Verdict verdict) {
        synchronized (verdict) {
            if (verdict.worst != null) {
                exchange.recordRateLimit(RateLimitOutcome.LIMITED);
                return new FilterResult.Respond(limited(verdict));
            }
            if (verdict.storeFailed) {
                exchange.recordRateLimit(RateLimitOutcome.ERROR);
                if (limiters.failClosed()) {
                    return new FilterResult.Respond(storeDown());
                }
            } else {
                exchange.recordRateLimit(RateLimitOutcome.ALLOWED);
            }
            if (verdict.report != null) {
                exchange.rateLimitHeaders(new RateLimitHeaders(verdict.reportRule.limitHeader(),
                        verdict.report.remaining(), seconds(verdict.report.resetMillis())));
            }
            return FilterResult.CONTINUE;
        }
    }

    @Override
    public void onResponse(HttpExchange exchange, HttpResponse response) {
        RateLimitHeaders h = exchange.rateLimitHeaders();
        if (h != null) {
            HttpHeaders headers = response.headers();
            headers.set(LIMIT, h.limit());
            headers.set(REMAINING, h.remaining());
            headers.set(RESET, h.resetSeconds());
        }
    }

    private static FullHttpResponse limited(Verdict verdict) {
        boolean local = verdict.worstRule.local() != null;
        byte[] body = local ? LOCAL_BODY : new byte[0];
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.TOO_MANY_REQUESTS,
                Unpooled.wrappedBuffer(body));
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (local) {
            h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
            h.set("x-envoy-ratelimited", "true"); // Envoy's local filter sets it; EG's global one does not by default
        }
        h.set(HttpHeaderNames.RETRY_AFTER, seconds(verdict.worst.retryAfterMillis()));
        if (verdict.worstRule.spec().headersOn()) {
            h.set(LIMIT, verdict.worstRule.limitHeader());
            h.set(REMAINING, 0);
            h.set(RESET, seconds(verdict.worst.resetMillis()));
        }
        return r;
    }

    private static FullHttpResponse storeDown() {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE,
                Unpooled.wrappedBuffer(STORE_DOWN));
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, STORE_DOWN.length)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .set(HttpHeaderNames.RETRY_AFTER, 1);
        return r;
    }

    private static long seconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }

    @Override
    public String type() {
        return "RateLimit";
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder("RateLimit ").append(source).append(':');
        for (Rule r : rules) {
            b.append(' ').append(r.spec().scope().name().toLowerCase(java.util.Locale.ROOT)).append(' ')
                    .append(r.spec().requests()).append('/').append(r.spec().unit().name().toLowerCase(java.util.Locale.ROOT));
        }
        return b.toString();
    }
}
