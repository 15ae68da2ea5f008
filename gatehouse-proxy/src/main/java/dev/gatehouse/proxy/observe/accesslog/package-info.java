/**
 * The access log: one JSON line per request. The event loop only copies the request's facts into an
 * immutable {@link dev.gatehouse.proxy.observe.accesslog.AccessLogEntry} and offers it to a bounded queue
 * (never blocking: a full queue drops and counts); one writer thread formats and writes, flushing when the
 * queue runs dry. Fields and sampling are configurable; 5xx answers are always logged.
 */
package dev.gatehouse.proxy.observe.accesslog;
