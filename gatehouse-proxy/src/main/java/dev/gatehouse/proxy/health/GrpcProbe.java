package dev.gatehouse.proxy.health;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * A {@code grpc.health.v1.Health/Check} call over h2c (or h2 over TLS) on a connected channel. The two messages are
 * tiny, so they are encoded by hand rather than pulling protobuf and grpc-java into the gateway:
 * {@code HealthCheckRequest{string service = 1}} and {@code HealthCheckResponse{ServingStatus status = 1}}, where
 * SERVING is 1. The probe passes on grpc-status 0 with status SERVING.
 */
final class GrpcProbe extends ProbeHandler {
    static final String PATH = "/grpc.health.v1.Health/Check";
    private static final int SERVING = 1;
    private static final int MAX_MESSAGE = 1024;
    private static final String[] STATUS_NAMES = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};

    private final ByteBuf message;
    private int servingStatus = -1;

    private GrpcProbe(ProbeOutcome outcome, ByteBuf message) {
        super(outcome, "stream closed before the answer");
        this.message = message;
    }

    /** Adds the HTTP/2 codec to {@code ch} (after TLS, if any) and starts the call on a new stream. */
    static void start(Channel ch, ProbeTarget target, ProbeOutcome outcome) {
        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false)).build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
        ByteBuf collected = ch.alloc().heapBuffer(64, MAX_MESSAGE);
        ch.closeFuture().addListener(f -> collected.release());
        new Http2StreamChannelBootstrap(ch).handler(new GrpcProbe(outcome, collected)).open().addListener(f -> {
            if (!f.isSuccess()) {
                outcome.done(ProbeFailures.describe(f.cause()));
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            String service = target.check().grpcService() == null ? "" : target.check().grpcService();
            Http2Headers headers = new DefaultHttp2Headers().method("POST").scheme(target.tls() == null ? "http" : "https")
                    .path(PATH).authority(NetUtil.toSocketAddressString(target.address()))
                    .set("content-type", "application/grpc").set("te", "trailers")
                    .set("user-agent", "gatehouse-health-check");
            stream.write(new DefaultHttp2HeadersFrame(headers, false));
            stream.writeAndFlush(new DefaultHttp2DataFrame(request(stream, service), true)).addListener(w -> {
                if (!w.isSuccess()) {
                    outcome.done(ProbeFailures.describe(w.cause()));
                }
            });
        });
    }

    /** The length-prefixed gRPC message: HealthCheckRequest with field 1 (service) when not empty. */
    private static ByteBuf request(Channel ch, String service) {
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        ByteBuf field = ch.alloc().buffer();
        if (name.length > 0) {
            field.writeByte(0x0a); // field 1, length-delimited
            writeVarint(field, name.length);
            field.writeBytes(name);
        }
        ByteBuf framed = ch.alloc().buffer(5 + field.readableBytes());
        framed.writeByte(0).writeInt(field.readableBytes()).writeBytes(field);
        field.release();
        return framed;
    }

    private static void writeVarint(ByteBuf out, int value) {
        while ((value & ~0x7f) != 0) {
            out.writeByte((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame h) {
                CharSequence status = h.headers().status();
                if (status != null && !"200".contentEquals(status)) {
                    outcome.done("HTTP " + status);
                    return;
                }
                CharSequence grpcStatus = h.headers().get("grpc-status");
                if (grpcStatus != null) {
                    onTrailers(grpcStatus.toString());
                } else if (h.isEndStream()) {
                    outcome.done("no grpc-status");
                }
            } else if (msg instanceof Http2DataFrame d) {
                ByteBuf content = d.content();
                message.writeBytes(content, Math.min(content.readableBytes(), message.maxWritableBytes()));
            } else if (msg instanceof Http2ResetFrame r) {
                outcome.done("stream reset: " + r.errorCode());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onTrailers(String grpcStatus) {
        if (!"0".equals(grpcStatus)) {
            outcome.done("grpc-status " + grpcStatus);
            return;
        }
        servingStatus = parseStatus();
        if (servingStatus == SERVING) {
            outcome.done(null);
        } else {
            outcome.done(servingStatus >= 0 && servingStatus < STATUS_NAMES.length ? STATUS_NAMES[servingStatus]
                    : "serving status " + servingStatus);
        }
    }

    /** HealthCheckResponse's field 1 from the framed message (0, UNKNOWN, when absent, as proto3 says). */
    private int parseStatus() {
        if (message.readableBytes() < 5) {
            return 0;
        }
        message.skipBytes(5); // compressed flag and length: the message is what is left
        int status = 0;
        while (message.isReadable()) {
            int tag = readVarint(message);
            int wire = tag & 7;
            if (wire == 0) {
                int value = readVarint(message);
                if (tag >>> 3 == 1) {
                    status = value;
                }
            } else if (wire == 2) {
                message.skipBytes(Math.min(readVarint(message), message.readableBytes()));
            } else {
                return -1; // not a HealthCheckResponse
            }
        }
        return status;
    }

    private static int readVarint(ByteBuf in) {
        int value = 0;
        for (int shift = 0; shift < 35 && in.isReadable(); shift += 7) {
            byte b = in.readByte();
            value |= (b & 0x7f) << shift;
            if (b >= 0) {
                break;
            }
        }
        return value;
    }
}
