/**
 * The per-connection relay: pick a node, connect on the client's own event loop (retrying on another node at once
 * when a connect fails), write the PROXY header, then splice both ways with back-pressure and half-close.
 */
package dev.gatehouse.edge.relay;
