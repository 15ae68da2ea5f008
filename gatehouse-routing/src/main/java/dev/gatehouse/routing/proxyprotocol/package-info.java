/** PROXY protocol: which sources of a port are trusted to name the client, compiled per snapshot. */
package dev.gatehouse.routing.proxyprotocol;
