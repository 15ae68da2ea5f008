package dev.gatehouse.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A whole HTTP/1.1 response already in wire form (built by {@link RawResponse#encode}): {@link StrictHttpServerCodec}
 * writes its bytes as they are, pairing it with its request as it does an encoded response.
 */
public final class EncodedResponse extends DefaultByteBufHolder {
    public EncodedResponse(ByteBuf bytes) {
        super(bytes);
    }
}
