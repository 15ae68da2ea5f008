package dev.gatehouse.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.List;

/**
 * Netty's request decoder with a {@link RequestHeadScanner} in front of every request head: a head with a loose
 * request line or an obs-fold becomes a failed {@link io.netty.handler.codec.http.FullHttpRequest} (the proxy
 * handler answers 400 and closes, as for any decoder failure) and nothing of it, or after it, is decoded.
 * <p>
 * Whether the next bytes are a head is inferred from what the decoder emits: a request head starts a body, a
 * {@link LastHttpContent} ends it. Netty returns from {@code decode} at every message boundary, so one call never
 * decodes past the head it was given to scan. {@code scanned} counts the bytes after the reader index already
 * scanned; it survives the cumulation buffer being copied or compacted, which indices would not.
 * Also does the request-side work of Netty's {@code HttpServerCodec} (methods for the encoder, pipelining depth).
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
    private final StrictHttpServerCodec codec;
    private final RequestHeadScanner scanner = new RequestHeadScanner();
    private boolean inHead = true;
    private int scanned;
    private boolean discarding;

    StrictRequestDecoder(StrictHttpServerCodec codec, HttpDecoderConfig config) {
        super(config);
        this.codec = codec;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (discarding) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (inHead && !scanner.complete()) {
            int start = in.readerIndex();
            scanned = scanner.scan(in, start + scanned, in.writerIndex()) - start;
            String violation = scanner.violation();
            if (violation != null) {
                reject(in, out, violation);
                return;
            }
        }
        int before = in.readerIndex();
        int first = out.size();
        super.decode(ctx, in, out);
        scanned = Math.max(0, scanned - (in.readerIndex() - before));
        int size = out.size();
        for (int i = first; i < size; i++) {
            Object o = out.get(i);
            if (o instanceof HttpRequest request && !codec.requestDecoded(request.method())) {
                releaseFrom(out, i);
                discarding = true;
                in.skipBytes(in.readableBytes());
                throw new IllegalStateException("maxPipelineDepth exceeded: " + StrictHttpServerCodec.MAX_PIPELINE_DEPTH);
            }
            if (o instanceof HttpObject h && h.decoderResult().isFailure()) {
                // the decoder discards everything after a failure; so do we, or a later scan could emit a second
                discarding = true;
            }
            if (o instanceof LastHttpContent) {
                startHead();
            } else if (o instanceof HttpMessage) {
                inHead = false;
            }
        }
    }

    /** At the start of a head with no byte of it read (see {@link StrictHttpServerCodec#betweenRequests}). */
    boolean betweenRequests() {
        return inHead && scanned == 0 && !discarding && actualReadableBytes() == 0;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (discarding) {
            // a partly decoded head must not come out as "connection closed before received headers"
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decodeLast(ctx, in, out);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        super.handleTransferEncodingChunkedWithContentLength(message);
        codec.closeAfterResponse();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HttpExpectationFailedEvent && !inHead) {
            // the decoder drops the body it was reading and expects a new head, without a LastHttpContent
            startHead();
        }
        super.userEventTriggered(ctx, evt);
    }

    private void startHead() {
        inHead = true;
        scanned = 0;
        scanner.reset();
    }

    private void reject(ByteBuf in, List<Object> out, String why) {
        discarding = true;
        in.skipBytes(in.readableBytes());
        HttpMessage bad = createInvalidMessage();
        bad.setDecoderResult(DecoderResult.failure(new MalformedHeadException(why)));
        // the encoder pairs each response with a decoded request; the 400 answers this one
        codec.requestDecoded(((HttpRequest) bad).method());
        out.add(bad);
    }

    private static void releaseFrom(List<Object> out, int from) {
        for (int i = out.size() - 1; i >= from; i--) {
            ReferenceCountUtil.release(out.remove(i));
        }
    }

    /** Carries the reason to the 400; thrown by nobody, so no stack trace is filled. */
    static final class MalformedHeadException extends DecoderException {
        MalformedHeadException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
