/**
 * The HTTP proxy path shared by HTTP/1.1 connections and h2c streams: request validation, routing and
 * filters ({@link dev.gatehouse.proxy.http.HttpProxyHandler}, {@link dev.gatehouse.proxy.http.ProxyExchange}),
 * header hygiene, locally generated responses, mirrors and the WebSocket splice.
 */
package dev.gatehouse.proxy.http;
