package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.ActiveHealthCheckSpec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An HTTP/1.1 health check on a connected channel: one request ({@code Connection: close}), the status must be one
 * of the expected ones and, when the check names an expected text or bytes, the body (read up to
 * {@link #MAX_BODY}) must contain them. HTTP/1.1 even for h2 backends: every h2 server we know also speaks it on
 * health paths, and EG's checks are HTTP/1.1 unless the cluster is h2-only (left out for now).
 */
final class HttpProbe extends ProbeHandler {
    /** Bodies are read this far and no further: a check must not buffer a download. */
    static final int MAX_BODY = 64 * 1024;
    private static final List<Integer> DEFAULT_STATUSES = List.of(200);

    private final ActiveHealthCheckSpec.HttpCheck check;
    private final byte[] expected;
    private ByteArrayOutputStream body;

    private HttpProbe(ActiveHealthCheckSpec.HttpCheck check, ProbeOutcome outcome) {
        super(outcome, "connection closed before the response");
        this.check = check;
        this.expected = check.expectedText() != null ? check.expectedText().getBytes(StandardCharsets.UTF_8)
                : check.expectedBinary();
    }

    /** Adds the codec and this to {@code ch} (after TLS, if any) and sends the request. */
    static void start(Channel ch, ProbeTarget target, ProbeOutcome outcome) {
        ActiveHealthCheckSpec.HttpCheck check = target.check().http();
        ch.pipeline().addLast(new HttpClientCodec(), new HttpProbe(check, outcome));
        String method = check.method() == null || check.method().isEmpty() ? "GET" : check.method();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method),
                check.path());
        String host = check.hostname() != null ? check.hostname()
                : NetUtil.toSocketAddressString(target.address());
        request.headers().set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.USER_AGENT, "gatehouse-health-check")
                .set(HttpHeaderNames.CONTENT_LENGTH, 0);
        ch.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                outcome.done(ProbeFailures.describe(f.cause()));
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse response) {
                if (response.decoderResult().isFailure()) {
                    outcome.done("invalid HTTP response");
                    return;
                }
                int status = response.status().code();
                List<Integer> statuses = check.expectedStatuses().isEmpty() ? DEFAULT_STATUSES : check.expectedStatuses();
                if (!statuses.contains(status)) {
                    outcome.done("HTTP " + status);
                    return;
                }
                if (expected == null) {
                    outcome.done(null);
                    return;
                }
                body = new ByteArrayOutputStream();
            }
            if (msg instanceof HttpContent content && body != null) {
                ByteBuf buf = content.content();
                int room = MAX_BODY - body.size();
                buf.readBytes(body, Math.min(room, buf.readableBytes()));
                if (contains(body.toByteArray(), expected)) {
                    outcome.done(null);
                } else if (msg instanceof LastHttpContent || body.size() >= MAX_BODY) {
                    outcome.done(check.expectedText() != null ? "response body does not contain \""
                            + check.expectedText() + "\"" : "response body does not contain the expected bytes");
                }
            }
        } catch (java.io.IOException e) {
            outcome.done(ProbeFailures.describe(e));
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
