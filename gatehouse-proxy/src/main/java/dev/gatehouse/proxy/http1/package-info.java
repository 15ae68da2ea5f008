/**
 * The HTTP/1.1 wire codec the front end speaks: Netty's decoder and encoder, made strict. The request head is
 * scanned for the ambiguities that enable request smuggling (both Content-Length and Transfer-Encoding, obs-fold,
 * bare CR or LF, duplicate Content-Length) before Netty parses it, and the codec pairs each response with its
 * request so that a pipelined client sees answers in order. {@link dev.gatehouse.proxy.http1.UpstreamHttp1Codec} is
 * the upstream side's: Netty's client codec, plus a {@link dev.gatehouse.proxy.http1.RawResponse} for a small plain
 * answer the exchange can relay as its bytes. Everything past the codecs (routing, filters, the
 * upstream attempt) lives in {@code dev.gatehouse.proxy.http} and never sees HTTP/1.1 framing.
 */
package dev.gatehouse.proxy.http1;
