/**
 * The data plane's observer SPI. {@link dev.gatehouse.proxy.observe.ExchangeObserver} is called by the proxy
 * at a few points of a request (start, upstream request, response head, completion) with one mutable
 * {@link dev.gatehouse.proxy.observe.RequestLog} confined to the request's event loop, and at connection and
 * h2 stream open/close. With {@link dev.gatehouse.proxy.observe.ExchangeObserver#NOOP} the proxy creates no
 * log and calls nothing, so observability off costs a field read and a branch.
 * {@link dev.gatehouse.proxy.observe.Observability} carries the observer with the request-id and debug-header
 * switches into the server. Implementations: {@code metrics} (Micrometer, Prometheus text), {@code accesslog}
 * (JSON lines written off-loop) and {@code trace} (OpenTelemetry spans over OTLP/HTTP).
 */
package dev.gatehouse.proxy.observe;
