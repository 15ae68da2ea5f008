package dev.gatehouse.proxy.upstream;

import dev.gatehouse.ir.UpstreamTlsSpec;
import dev.gatehouse.routing.tls.UpstreamTls;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Upstream connections with a TLS identity: pooled per identity, and a failed handshake reported as its cause. */
class UpstreamTlsPoolingTest {
    static final InetSocketAddress ENDPOINT = new InetSocketAddress("127.0.0.1", 9);
    static final UpstreamTls A = UpstreamTls.compile(new UpstreamTlsSpec("ns/a", "a.example.com", List.of(), List.of(), null));
    static final UpstreamTls B = UpstreamTls.compile(new UpstreamTlsSpec("ns/b", "b.example.com", List.of(), List.of(), null));

    private static UpstreamPool pool(EmbeddedChannel ch) {
        return new UpstreamPool(ch.eventLoop(), NioSocketChannel.class, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    @Test
    void anIdleConnectionIsReusedOnlyForTheSameTlsIdentity() {
        EmbeddedChannel ch = new EmbeddedChannel();
        UpstreamPool pool = pool(ch);
        UpstreamHandler h = new UpstreamHandler(pool, ENDPOINT, A);
        ch.pipeline().addLast(h);
        pool.release(h);
        assertThat(pool.pollIdle(ENDPOINT)).as("cleartext").isNull();
        assertThat(pool.pollIdle(ENDPOINT, B)).as("another policy's identity").isNull();
        UpstreamTls equalToA = UpstreamTls.compile(A.spec());
        assertThat(pool.pollIdle(ENDPOINT, equalToA)).as("an equal identity of a later snapshot").isSameAs(h);
        assertThat(pool.pollIdle(ENDPOINT, A)).as("taken").isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aFailedHandshakeIsTheCauseTheExchangeGets() {
        EmbeddedChannel ch = new EmbeddedChannel();
        UpstreamHandler h = new UpstreamHandler(pool(ch), ENDPOINT, A);
        ch.pipeline().addLast(h);
        Throwable[] cause = {null};
        h.bind(new UpstreamListener() {
            @Override
            public void onUpstreamRead(Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }

            @Override
            public void onUpstreamReadComplete() {
            }

            @Override
            public void onUpstreamWritabilityChanged(boolean writable) {
            }

            @Override
            public void onUpstreamInactive(Throwable c) {
                cause[0] = c;
            }

            @Override
            public long deadlineNanos() {
                return 0;
            }

            @Override
            public void onDeadline() {
            }
        });
        SSLHandshakeException refused = new SSLHandshakeException("unable to find valid certification path");
        ch.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(refused));
        ch.close();
        assertThat(cause[0]).isSameAs(refused);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
