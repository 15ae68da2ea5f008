/**
 * Tracing with the OpenTelemetry SDK: one SERVER span per request, child of the client's W3C
 * {@code traceparent} when that is valid, exported over OTLP/HTTP (protobuf) by a batch processor on its own
 * thread; the request goes upstream with a {@code traceparent} naming the gateway's span.
 */
package dev.gatehouse.proxy.observe.trace;
