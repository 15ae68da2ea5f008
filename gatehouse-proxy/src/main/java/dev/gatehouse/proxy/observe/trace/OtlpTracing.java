package dev.gatehouse.proxy.observe.trace;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.RequestLog;
import dev.gatehouse.proxy.observe.TraceParent;
import dev.gatehouse.routing.route.Route;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Spans per request, exported over OTLP/HTTP. The span starts when the request is routed and ends when the
 * exchange completes; ending only hands it to the batch processor's queue (export happens on the SDK's
 * thread). Sampling: parent-based (a client's sampled flag wins), else {@code ratio} of new traces.
 *
 * <p>The sampling decision is taken here, before the SDK is involved: a request that is not sampled only
 * needs ids to pass on in {@code traceparent} (its trace's, or new random ones), and building an SDK span
 * for it (context, sampler, id generator, span-context validation) cost more per request than everything
 * else observability does. Only sampled requests become SDK spans, through an always-on sampler.
 */
public final class OtlpTracing implements ExchangeObserver, AutoCloseable {
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    static final AttributeKey<String> BACKEND = AttributeKey.stringKey("gatehouse.backend");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("gatehouse.request_id");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    private static final AsciiString TRACESTATE = AsciiString.cached("tracestate");

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final double ratio;

    /**
     * @param endpoint the collector's traces URL, e.g. {@code http://127.0.0.1:4318/v1/traces}
     * @param ratio share of new traces sampled, 0.0..1.0
     * @param exportDelay how long spans wait in the batch before export
     */
    public OtlpTracing(String endpoint, double ratio, Duration exportDelay) {
        if (ratio < 0 || ratio > 1) {
            throw new IllegalArgumentException("trace sample ratio must be within 0.0..1.0, got " + ratio);
        }
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint)
                .setTimeout(Duration.ofSeconds(5)).build();
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), "gatehouse"))))
                .setSampler(Sampler.alwaysOn()) // decided in onRequestStart

                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(exportDelay)
                        .setMaxQueueSize(8192).build())
                .build();
        this.tracer = provider.get("dev.gatehouse.proxy");
        this.ratio = ratio;
    }

    /** The ids of a request that is not sampled: passed on, never exported. */
    private record Unsampled(AsciiString traceParent, boolean continued) {
    }

    @Override
    public void onRequestStart(RequestLog log) {
        String incoming = log.traceParent();
        boolean continued = TraceParent.isValid(incoming);
        boolean sampled = continued ? TraceParent.sampled(incoming)
                : ratio >= 1.0 || ratio > 0 && ThreadLocalRandom.current().nextDouble() < ratio;
        if (!sampled) {
            AsciiString traceParent = TraceParent.unsampled(continued ? incoming : null);
            log.span(new Unsampled(traceParent, continued));
            log.traceId(TraceParent.traceIdOf(traceParent));
            return;
        }
        Context parent = Context.root();
        if (continued) {
            SpanContext remote = SpanContext.createFromRemoteParent(incoming.substring(3, 35), incoming.substring(36, 52),
                    TraceFlags.getSampled(), // an unsampled parent never gets here
                    TraceState.getDefault());
            parent = parent.with(Span.wrap(remote));
        }
        Route route = log.route();
        String routeLabel = route == null ? null : route.label();
        Span span = tracer.spanBuilder(routeLabel == null ? log.method() : log.method() + ' ' + routeLabel)
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .startSpan();
        // attributes only on sampled spans: the sampler needs none, and an unsampled span would drop them
        if (span.isRecording()) {
            span.setAttribute(METHOD, log.method());
            span.setAttribute(URL_PATH, pathOnly(log.path()));
            if (log.host() != null) {
                span.setAttribute(SERVER_ADDRESS, log.host());
            }
            if (log.remote() != null) {
                span.setAttribute(CLIENT_ADDRESS, log.remote().getAddress().getHostAddress());
            }
            if (routeLabel != null) {
                span.setAttribute(ROUTE, routeLabel);
            }
            if (log.requestId() != null) {
                span.setAttribute(REQUEST_ID, log.requestId().toString());
            }
        }
        log.span(span);
        log.traceId(span.getSpanContext().getTraceId());
    }

    @Override
    public boolean readsUpstreamRequest() {
        return true;
    }

    @Override
    public void onUpstreamRequest(RequestLog log, HttpHeaders headers) {
        Object state = log.span();
        boolean continued;
        if (state instanceof Unsampled u) {
            headers.set(TRACEPARENT, u.traceParent());
            continued = u.continued();
        } else if (state instanceof ReadableSpan span) {
            SpanContext c = span.getSpanContext();
            headers.set(TRACEPARENT, TraceParent.format(c.getTraceId(), c.getSpanId(), c.isSampled()));
            continued = span.getParentSpanContext().isRemote(); // decided in onRequestStart, not re-validated
        } else {
            return;
        }
        if (!continued) {
            // a new trace: tracestate belongs to the trace it came with
            headers.remove(TRACESTATE);
        }
    }

    @Override
    public void onComplete(RequestLog log) {
        if (!(log.span() instanceof Span span)) {
            return;
        }
        if (!span.isRecording()) {
            span.end();
            return;
        }
        if (log.backend() != null && log.backend().cluster() != null) {
            span.setAttribute(BACKEND, log.backend().cluster().name());
        }
        int status = log.status();
        if (status > 0) {
            span.setAttribute(STATUS, (long) status);
        }
        if (log.failure() != null) {
            span.setAttribute(ERROR_TYPE, log.failure());
        }
        if (status >= 500) {
            span.setStatus(StatusCode.ERROR, log.failure() == null ? "" : log.failure());
        }
        span.end();
    }

    private static String pathOnly(String target) {
        int q = target == null ? -1 : target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** Exports what is batched, then shuts the SDK down. */
    @Override
    public void close() {
        provider.forceFlush().join(5, TimeUnit.SECONDS);
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }
}
