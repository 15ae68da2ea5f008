package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.DirectResponseSpec;
import dev.gatehouse.ir.FilterSpec.HeaderSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;

/**
 * Answers with a fixed status, headers and body (gatehouse.dev extension filter). The body bytes are
 * encoded once; every response gets its own {@link ByteBuf} wrapping them, which the proxy releases after
 * writing (nothing writes into an outbound response body, so sharing the array is safe).
 */
public final class DirectResponseFilter implements HttpFilter {
    private final HttpResponseStatus status;
    private final AsciiString[] headerNames;
    private final AsciiString[] headerValues;
    private final byte[] body;

    private DirectResponseFilter(HttpResponseStatus status, AsciiString[] headerNames, AsciiString[] headerValues,
                                 byte[] body) {
        this.status = status;
        this.headerNames = headerNames;
        this.headerValues = headerValues;
        this.body = body;
    }

    public static DirectResponseFilter compile(DirectResponseSpec spec) {
        if (spec.status() < 200 || spec.status() > 599) {
            throw new IllegalArgumentException("DirectResponse status " + spec.status() + " outside 200..599");
        }
        AsciiString[] names = new AsciiString[spec.headers().size()];
        AsciiString[] values = new AsciiString[names.length];
        for (int i = 0; i < names.length; i++) {
            HeaderSpec h = spec.headers().get(i);
            names[i] = HeaderFieldValidator.name(h.name());
            values[i] = HeaderFieldValidator.asciiValue(h.name(), h.value());
            if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(names[i])) {
                throw new IllegalArgumentException("DirectResponse must not set Content-Length (computed from the body)");
            }
        }
        byte[] body = spec.body() == null ? new byte[0] : spec.body().getBytes(StandardCharsets.UTF_8);
        return new DirectResponseFilter(HttpResponseStatus.valueOf(spec.status()), names, values, body);
    }

    @Override
    public FilterResult onRequest(HttpExchange exchange) {
        ByteBuf content = body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        for (int i = 0; i < headerNames.length; i++) {
            response.headers().add(headerNames[i], headerValues[i]);
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return new FilterResult.Respond(response);
    }

    @Override
    public String describe() {
        return "DirectResponse " + status.code() + " (" + body.length + " bytes)";
    }

    @Override
    public boolean sideEffectFree() {
        return true;
    }

    @Override
    public String toString() {
        return "DirectResponse[" + status.code() + ", " + body.length + " bytes]";
    }
}
