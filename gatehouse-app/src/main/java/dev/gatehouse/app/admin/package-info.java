/**
 * The admin endpoint (loopback by default): readiness and the running config, printed deterministically.
 * It runs on its own small thread pool (the JDK's HTTP server), never on the data plane's event loops.
 */
package dev.gatehouse.app.admin;
