package dev.gatehouse.edge.gate;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The gate in front of what stands for the splice (the channel's inbound queue). */
class HostGateTest {
    private static final int MAX_HEAD = 4096;
    private static final long TIMEOUT_MILLIS = 5_000;

    private final GateRefusals refusals = new GateRefusals();
    private final EmbeddedChannel ch = new EmbeddedChannel(new HostGate(AllowedHosts.parse("a.example.com,*.example.net"),
            refusals, MAX_HEAD, TIMEOUT_MILLIS));

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    @Test
    void anAllowedRequestHeadPassesWholeAndTheGateLeaves() {
        String head = "GET /x HTTP/1.1\r\nHost: A.example.com:8080\r\nContent-Length: 4\r\n\r\nbody";
        assertThat(ch.writeInbound(ascii(head.substring(0, 20)))).isFalse();
        assertThat(ch.writeInbound(ascii(head.substring(20)))).isTrue();
        assertThat(readAll()).isEqualTo(head);
        assertThat(ch.pipeline().get(HostGate.class)).isNull();
        ch.writeInbound(ascii("more"));
        assertThat(readAll()).isEqualTo("more");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aHostNotAllowedIsAnswered421AndClosed() {
        ch.writeInbound(ascii("GET / HTTP/1.1\r\nhost: b.example.com\r\n\r\n"));
        assertThat(readAll()).isEmpty();
        assertThat(response()).startsWith("HTTP/1.1 421 Misdirected Request\r\n").contains("connection: close");
        assertThat(ch.isOpen()).isFalse();
        assertThat(refusals.total(GateRefusals.Reason.HOST_NOT_ALLOWED)).isEqualTo(1);
    }

    @Test
    void anAbsoluteFormTargetIsCheckedForItsAuthorityWhichRoutingUses() {
        ch.writeInbound(ascii("GET http://b.example.com/ HTTP/1.1\r\nHost: a.example.com\r\n\r\n"));
        assertThat(response()).startsWith("HTTP/1.1 421 ");
        assertThat(refusals.total(GateRefusals.Reason.HOST_NOT_ALLOWED)).isEqualTo(1);
    }

    @Test
    void noHostOrTwoHostsIsABadRequest() {
        ch.writeInbound(ascii("GET / HTTP/1.1\r\nHost: a.example.com\r\nHost: b.example.com\r\n\r\n"));
        assertThat(response()).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(ch.isOpen()).isFalse();
        EmbeddedChannel other = new EmbeddedChannel(new HostGate(AllowedHosts.parse("a.example.com"), refusals,
                MAX_HEAD, TIMEOUT_MILLIS));
        other.writeInbound(ascii("GET / HTTP/1.0\r\nAccept: */*\r\n\r\n"));
        ByteBuf out = other.readOutbound();
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 400 ");
        out.release();
        other.finishAndReleaseAll();
        assertThat(refusals.total(GateRefusals.Reason.NO_HOST)).isEqualTo(2);
    }

    @Test
    void whatIsNotHttpIsRefused() {
        ch.writeInbound(ascii("SSH-2.0-OpenSSH_9.2\r\n\r\n"));
        assertThat(response()).startsWith("HTTP/1.1 400 ");
        assertThat(refusals.total(GateRefusals.Reason.MALFORMED)).isEqualTo(1);
    }

    @Test
    void aHeadOverTheLimitIsRefusedWithoutWaitingForItsEnd() {
        ch.writeInbound(ascii("GET / HTTP/1.1\r\nX: " + "a".repeat(MAX_HEAD) + "\r\n"));
        assertThat(response()).startsWith("HTTP/1.1 431 ");
        assertThat(ch.isOpen()).isFalse();
        assertThat(refusals.total(GateRefusals.Reason.MALFORMED)).isEqualTo(1);
    }

    @Test
    void aClientTooSlowToNameAHostIsClosed() {
        EmbeddedChannel slow = new EmbeddedChannel();
        slow.freezeTime();
        slow.pipeline().addLast(new HostGate(AllowedHosts.parse("a.example.com"), refusals, MAX_HEAD, TIMEOUT_MILLIS));
        slow.writeInbound(ascii("GET / HTTP/1.1\r\n"));
        slow.advanceTimeBy(TIMEOUT_MILLIS - 1, TimeUnit.MILLISECONDS);
        slow.runScheduledPendingTasks();
        assertThat(slow.isOpen()).isTrue();
        slow.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        slow.runScheduledPendingTasks();
        assertThat(slow.isOpen()).isFalse();
        assertThat((Object) slow.readInbound()).isNull();
        slow.finishAndReleaseAll();
        assertThat(refusals.total(GateRefusals.Reason.TIMEOUT)).isEqualTo(1);
    }

    @Test
    void anAllowedClientHelloPassesUnchanged() throws Exception {
        byte[] hello = clientHello("x.y.example.net");
        ch.writeInbound(Unpooled.wrappedBuffer(hello, 0, 50));
        assertThat(ch.pipeline().get(SniGate.class)).isNotNull();
        ch.writeInbound(Unpooled.wrappedBuffer(hello, 50, hello.length - 50));
        ByteBuf passed = Unpooled.buffer();
        for (ByteBuf b; (b = ch.readInbound()) != null; b.release()) {
            passed.writeBytes(b);
        }
        assertThat(io.netty.buffer.ByteBufUtil.getBytes(passed)).isEqualTo(hello);
        passed.release();
        assertThat(ch.pipeline().get(SniGate.class)).isNull();
        assertThat(ch.pipeline().get(HostGate.class)).isNull();
        // the gate's time limit no longer applies
        ch.advanceTimeBy(TIMEOUT_MILLIS * 2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aClientHelloForAnotherNameOrNoneIsClosed() throws Exception {
        ch.writeInbound(Unpooled.wrappedBuffer(clientHello("example.net")));
        assertThat(readAll()).isEmpty();
        assertThat(ch.isOpen()).isFalse();
        assertThat(refusals.total(GateRefusals.Reason.HOST_NOT_ALLOWED)).isEqualTo(1);

        EmbeddedChannel noSni = new EmbeddedChannel(new HostGate(AllowedHosts.parse("a.example.com"), refusals,
                MAX_HEAD, TIMEOUT_MILLIS));
        noSni.writeInbound(Unpooled.wrappedBuffer(clientHello(null)));
        assertThat((Object) noSni.readInbound()).isNull();
        assertThat(noSni.isOpen()).isFalse();
        noSni.finishAndReleaseAll();
        assertThat(refusals.total(GateRefusals.Reason.NO_HOST)).isEqualTo(1);
    }

    /** A real ClientHello, as the JDK's TLS client writes it. */
    static byte[] clientHello(String serverName) throws Exception {
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).build();
        EmbeddedChannel c = new EmbeddedChannel(serverName == null ? client.newHandler(io.netty.buffer
                .ByteBufAllocator.DEFAULT) : client.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, serverName,
                443));
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = c.readOutbound()) != null; b.release()) {
            all.writeBytes(b);
        }
        c.finishAndReleaseAll();
        byte[] out = io.netty.buffer.ByteBufUtil.getBytes(all);
        all.release();
        return out;
    }

    private String readAll() {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readInbound()) != null; b.release()) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
        }
        return out.toString();
    }

    private String response() {
        ByteBuf out = ch.readOutbound();
        try {
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }
}
