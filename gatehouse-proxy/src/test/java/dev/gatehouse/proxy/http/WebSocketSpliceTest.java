package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.http1.StrictHttpServerCodec;
import dev.gatehouse.proxy.http1.UpstreamHttp1Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class WebSocketSpliceTest {

    @Test
    void relaysRawBytesBothWaysAndPropagatesClose() {
        EmbeddedChannel client = new EmbeddedChannel(new StrictHttpServerCodec(new HttpDecoderConfig()));
        EmbeddedChannel upstream = new EmbeddedChannel(new UpstreamHttp1Codec(new HttpDecoderConfig()));
        WebSocketSplice.join(client, upstream);
        assertThat(client.pipeline().get(StrictHttpServerCodec.class)).isNull();
        assertThat(upstream.pipeline().get(UpstreamHttp1Codec.class)).isNull();

        client.writeInbound(Unpooled.copiedBuffer("frame-1", StandardCharsets.US_ASCII));
        ByteBuf toUpstream = upstream.readOutbound();
        assertThat(toUpstream.toString(StandardCharsets.US_ASCII)).isEqualTo("frame-1");
        toUpstream.release();

        upstream.writeInbound(Unpooled.copiedBuffer("frame-2", StandardCharsets.US_ASCII));
        ByteBuf toClient = client.readOutbound();
        assertThat(toClient.toString(StandardCharsets.US_ASCII)).isEqualTo("frame-2");
        toClient.release();

        upstream.close();
        client.runPendingTasks();
        assertThat(client.isOpen()).isFalse();
        assertThat((Object) client.readOutbound()).isNull(); // nothing was queued: closed without an empty write
        assertThat(client.finishAndReleaseAll()).isFalse();
        assertThat(upstream.finishAndReleaseAll()).isFalse();
    }
}
