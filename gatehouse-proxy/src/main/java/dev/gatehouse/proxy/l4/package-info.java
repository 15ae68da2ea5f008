/**
 * The L4 data plane: TCP ports relay bytes to a TCPRoute's backends, TLS passthrough ports read the SNI name of
 * the ClientHello (never decrypting) and relay the whole stream to the TLSRoute that claims that name.
 * {@link dev.gatehouse.proxy.l4.L4Pipeline} builds an accepted connection's pipeline,
 * {@link dev.gatehouse.proxy.l4.BackendConnect} opens the backend connection on the client's event loop, and
 * {@link dev.gatehouse.proxy.l4.ByteSplice} relays with back-pressure and half-close.
 */
package dev.gatehouse.proxy.l4;
