/** Listening sockets: binds the ports a snapshot declares, builds each connection's pipeline. */
package dev.gatehouse.proxy.server;
