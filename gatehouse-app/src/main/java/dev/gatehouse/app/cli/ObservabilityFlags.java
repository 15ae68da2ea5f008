package dev.gatehouse.app.cli;

import picocli.CommandLine.Option;

/** Flags of {@code run} and {@code demo} for metrics, access log, request ids, tracing and the debug header. */
public final class ObservabilityFlags {
    @Option(names = "--metrics", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Record Prometheus metrics and serve them at /metrics on the admin port (default: ${DEFAULT-VALUE}).")
    boolean metrics;

    @Option(names = "--access-log", defaultValue = "off", paramLabel = "off|stdout|FILE",
            description = "One JSON line per request to standard output or appended to FILE (default: ${DEFAULT-VALUE}).")
    String accessLog;

    @Option(names = "--access-log-fields", defaultValue = "all", paramLabel = "FIELD,...",
            description = "Fields of each line: time,request_id,trace_id,client,method,host,path,protocol,route,backend,"
                    + "endpoint,status,bytes_in,bytes_out,duration_ms,upstream_ms,gateway_ms,failure,auth,rate_limit,consumer,retries,close "
                    + "(default: ${DEFAULT-VALUE}).")
    String accessLogFields;

    @Option(names = "--access-log-sample", defaultValue = "1.0", paramLabel = "RATIO",
            description = "Share of requests logged, 0.0..1.0; 5xx answers are always logged (default: ${DEFAULT-VALUE}).")
    double accessLogSample;

    @Option(names = "--request-id", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Send X-Request-ID upstream and back to the client, generating one when absent (default: ${DEFAULT-VALUE}).")
    boolean requestId;

    @Option(names = "--trust-request-id", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Keep a client's X-Request-ID (1-128 visible ASCII characters) instead of replacing it "
                    + "(default: ${DEFAULT-VALUE}).")
    boolean trustRequestId;

    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = "Export a span per request over OTLP/HTTP to this traces URL, e.g. "
                    + "http://127.0.0.1:4318/v1/traces (default: tracing off).")
    String otlpEndpoint;

    @Option(names = "--trace-sample", defaultValue = "1.0", paramLabel = "RATIO",
            description = "Share of new traces sampled, 0.0..1.0; a client's sampled flag wins (default: ${DEFAULT-VALUE}).")
    double traceSample;

    @Option(names = "--debug-header", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = "Answer requests carrying 'X-Gatehouse-Debug: 1' with an X-Gatehouse-Debug-Trace header "
                    + "naming listener, virtual host, rule and backend (default: ${DEFAULT-VALUE}).")
    boolean debugHeader;
}
