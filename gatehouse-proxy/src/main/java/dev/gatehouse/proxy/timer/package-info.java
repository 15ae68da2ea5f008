/**
 * Timers kept per event loop for the many connections whose deadlines nearly never fire: the edge relay's connect
 * and idle timeouts, the head and idle deadlines of quiet keep-alive client connections.
 */
package dev.gatehouse.proxy.timer;
