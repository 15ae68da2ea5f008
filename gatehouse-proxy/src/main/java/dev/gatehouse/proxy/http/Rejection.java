package dev.gatehouse.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/** Why a request head is refused before routing; the connection is closed after the answer. */
record Rejection(HttpResponseStatus status, String reason) {
}
