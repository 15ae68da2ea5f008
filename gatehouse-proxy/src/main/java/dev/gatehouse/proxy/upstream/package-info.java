/**
 * Upstream (backend) connections: one pool per event loop, keyed by endpoint, protocol and TLS identity; idle
 * HTTP/1.1 connections, HTTP/2 connections whose streams requests share, one permanent handler per connection or
 * stream. Everything here runs on the loop that owns the pool; nothing is shared between loops.
 */
package dev.gatehouse.proxy.upstream;
