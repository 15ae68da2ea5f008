/**
 * The admin API and dashboard (loopback by default, optional bearer token): readiness, the running config,
 * statuses, routes, backends with endpoint health ({@link dev.gatehouse.app.admin.EndpointHealthView}, which the
 * data plane's health checker implements), reload history, explain, and the static dashboard under {@code /ui/}.
 * It runs on its own small thread pool (the JDK's HTTP server), never on the data plane's event loops.
 */
package dev.gatehouse.app.admin;
