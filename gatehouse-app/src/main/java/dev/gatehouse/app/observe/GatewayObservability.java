package dev.gatehouse.app.observe;

import dev.gatehouse.app.admin.AdminEndpoint;
import dev.gatehouse.app.admin.AdminResponse;
import dev.gatehouse.proxy.observe.EndpointHealthSource;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.ExchangeObservers;
import dev.gatehouse.proxy.observe.Observability;
import dev.gatehouse.proxy.observe.accesslog.AccessLog;
import dev.gatehouse.proxy.observe.accesslog.AccessLogField;
import dev.gatehouse.proxy.observe.metrics.GatewayMetrics;
import dev.gatehouse.proxy.observe.trace.OtlpTracing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The observers one gateway process runs, built from its settings, and closed (access log flushed, spans
 * exported) when the process stops.
 */
public final class GatewayObservability implements AutoCloseable {
    private final GatewayMetrics metrics;
    private final ProcessMetrics processMetrics;
    private final AccessLog accessLog;
    private final OtlpTracing tracing;
    private final Observability observability;

    /**
     * @param accessLog "off", "stdout" or a file path
     * @param otlpEndpoint traces URL, or {@code null} for no tracing
     */
    public GatewayObservability(boolean metricsOn, String accessLog, String accessLogFields, double accessLogSample,
                                boolean requestIds, boolean trustRequestId, String otlpEndpoint, double traceSample,
                                boolean debugHeader) throws IOException {
        List<ExchangeObserver> observers = new ArrayList<>();
        this.metrics = metricsOn ? new GatewayMetrics() : null;
        this.processMetrics = metricsOn ? new ProcessMetrics(metrics.registry()) : null;
        if (metrics != null) {
            observers.add(metrics);
        }
        var fields = AccessLogField.parse(accessLogFields);
        if (accessLog == null || accessLog.isBlank() || accessLog.equalsIgnoreCase("off")) {
            this.accessLog = null;
        } else if (accessLog.equalsIgnoreCase("stdout") || accessLog.equals("-")) {
            this.accessLog = AccessLog.toStdout(fields, accessLogSample);
        } else {
            this.accessLog = AccessLog.toFile(Path.of(accessLog), fields, accessLogSample);
        }
        if (this.accessLog != null) {
            observers.add(this.accessLog);
            if (metrics != null) {
                AccessLog log = this.accessLog;
                metrics.monitorDrops("gatehouse.accesslog.dropped", "Access log lines dropped because the queue was full",
                        log::dropped);
            }
        }
        this.tracing = otlpEndpoint == null || otlpEndpoint.isBlank() ? null
                : new OtlpTracing(otlpEndpoint, traceSample, Duration.ofMillis(500));
        if (tracing != null) {
            observers.add(tracing);
        }
        this.observability = new Observability(requestIds, trustRequestId, debugHeader, ExchangeObservers.of(observers));
    }

    public Observability observability() {
        return observability;
    }

    /** @return the metrics, or {@code null} when off */
    public GatewayMetrics metrics() {
        return metrics;
    }

    public void healthSource(EndpointHealthSource source) {
        if (metrics != null) {
            metrics.healthSource(source);
        }
    }

    /** The control loop's outcome of one reload and the generation then served. */
    public void reloaded(boolean success, long generation) {
        if (metrics != null) {
            metrics.reloaded(success, generation);
        }
    }

    /** {@code GET /metrics}: the Prometheus text format; {@code null} when metrics are off. */
    public AdminEndpoint metricsEndpoint() {
        if (metrics == null) {
            return null;
        }
        return query -> {
            String text;
            try {
                text = metrics.scrape();
            } catch (Error e) {
                // the admin server answers Exceptions; an Error would leave the scraper hanging
                throw new IllegalStateException("metrics scrape failed: " + e, e);
            }
            return new AdminResponse(200, GatewayMetrics.contentType(), text.getBytes(StandardCharsets.UTF_8), Map.of());
        };
    }

    @Override
    public void close() {
        if (processMetrics != null) {
            processMetrics.close();
        }
        if (tracing != null) {
            tracing.close();
        }
        if (accessLog != null) {
            accessLog.close();
        }
    }
}
