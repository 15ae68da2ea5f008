/**
 * Listening sockets and per-connection pipelines: {@link dev.gatehouse.proxy.server.GatewayServer} owns the
 * event loops (epoll when available, else NIO; one group accepts and serves) and reconciles bound ports with
 * each snapshot; {@link dev.gatehouse.proxy.server.FrontendInitializer} builds the HTTP/1.1 + h2c pipeline
 * of an accepted connection from its port's limits ({@link dev.gatehouse.proxy.server.PortLimits}: a
 * ClientTrafficPolicy or the {@link dev.gatehouse.proxy.server.ServerOptions} defaults), with Netty's HTTP/2
 * abuse limits set explicitly and {@link dev.gatehouse.proxy.server.Http2FloodGuard} for the rest;
 * {@link dev.gatehouse.proxy.server.ConnectionDrain} tracks the accepted connections and ends them gracefully when
 * the server stops. The proxying
 * itself lives in {@code dev.gatehouse.proxy.http}.
 */
package dev.gatehouse.proxy.server;
