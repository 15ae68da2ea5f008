/**
 * PROXY protocol (v1 and v2) on accepted connections from trusted sources: the header's source address becomes
 * the client address every later stage reads ({@link dev.gatehouse.proxy.proxyprotocol.ClientAddress}).
 */
package dev.gatehouse.proxy.proxyprotocol;
