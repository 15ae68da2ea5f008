/**
 * TLS termination tables, built on the control thread once per snapshot: one {@code SslContext} per listener
 * certificate and, per HTTPS port, the SNI mapping from server name to context.
 */
package dev.gatehouse.routing.tls;
