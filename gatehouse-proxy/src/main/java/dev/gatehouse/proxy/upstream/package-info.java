/**
 * Upstream (backend) HTTP/1.1 connections: one idle pool per event loop, one permanent handler per
 * connection. Everything here runs on the loop that owns the pool; nothing is shared between loops.
 */
package dev.gatehouse.proxy.upstream;
