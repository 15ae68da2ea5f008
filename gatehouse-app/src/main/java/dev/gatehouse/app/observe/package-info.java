/**
 * Assembles the data plane's observers from the command line ({@link dev.gatehouse.app.observe.GatewayObservability}):
 * Prometheus metrics served at {@code /metrics} on the admin port (with the JVM, process and Netty allocator
 * families of {@link dev.gatehouse.app.observe.ProcessMetrics}), the access log, OTLP tracing, and the control
 * loop's reload outcomes fed into the metrics.
 */
package dev.gatehouse.app.observe;
