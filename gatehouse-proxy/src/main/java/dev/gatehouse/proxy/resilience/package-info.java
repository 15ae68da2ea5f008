/**
 * What keeps a failing or overloaded backend from reaching the client: the retry decision (which failures a
 * {@link dev.gatehouse.ir.RetrySpec} retries, the back-off, the bounded copy of a request body a retry replays) and
 * the per-cluster circuit breaker (connections, pending and parallel requests, parallel retries and the retry
 * budget), counted across event loops with atomics taken once per request.
 */
package dev.gatehouse.proxy.resilience;
