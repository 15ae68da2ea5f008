package dev.gatehouse.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bodies between peers that keep up: the proxy writes each read to the other side's socket before it reads again,
 * and pauses the reading side only when that socket did not take it. Before, every 64 KiB read took the other side
 * over its high-water mark and paused the reading side until the end of the read batch (two {@code epoll_ctl} and a
 * trip through the event loop per read). Counted here: how often the reading side's reading was resumed, against how often the
 * writing side's socket did not take a whole write, which is the only reason left to pause (and which a slow reader
 * on a loaded machine makes common).
 */
class BodyReadPauseTest {
    private static final int BODY = 8 * 1024 * 1024;
    /** resumes of reading of the counting channels of this test (the first read of each counts as one) */
    static final AtomicInteger RESUMES = new AtomicInteger();
    /** writes the writing side's socket did not take whole (the only times the proxy may pause the reading side) */
    static final AtomicInteger SHORT_WRITES = new AtomicInteger();

    private OneBackendProxy proxy;

    /** A channel that counts each start of reading (once at connect, then once per pause lifted). */
    public static final class CountingChannel extends NioSocketChannel {
        public CountingChannel() {
        }

        CountingChannel(Channel parent, SocketChannel socket) {
            super(parent, socket);
        }

        @Override
        protected void doBeginRead() throws Exception {
            // called after every read batch while reading is on: only a switch from off to on is a resume
            SelectionKey key = selectionKey();
            boolean wasOff = key != null && key.isValid() && (key.interestOps() & SelectionKey.OP_READ) == 0;
            super.doBeginRead();
            if (wasOff) {
                RESUMES.incrementAndGet();
            }
        }
    }

    /** A channel that counts each flush its socket did not take whole (left bytes for OP_WRITE or a later task). */
    public static final class ShortWriteCountingChannel extends NioSocketChannel {
        public ShortWriteCountingChannel() {
        }

        ShortWriteCountingChannel(Channel parent, SocketChannel socket) {
            super(parent, socket);
        }

        @Override
        protected void doWrite(ChannelOutboundBuffer in) throws Exception {
            super.doWrite(in);
            if (!in.isEmpty()) {
                SHORT_WRITES.incrementAndGet();
            }
        }
    }

    /** A listener whose accepted connections are of a counting class ({@link #accepted}). */
    private abstract static class AcceptingServerChannel extends NioServerSocketChannel {
        abstract Channel accepted(SocketChannel socket);

        @Override
        protected int doReadMessages(List<Object> buf) throws Exception {
            SocketChannel socket = javaChannel().accept();
            if (socket == null) {
                return 0;
            }
            buf.add(accepted(socket));
            return 1;
        }
    }

    /** A listener whose accepted connections are {@link ShortWriteCountingChannel}s. */
    public static final class ShortWriteCountingServerChannel extends AcceptingServerChannel {
        @Override
        Channel accepted(SocketChannel socket) {
            return new ShortWriteCountingChannel(this, socket);
        }
    }

    /** A listener whose accepted connections are {@link CountingChannel}s. */
    public static final class CountingServerChannel extends AcceptingServerChannel {
        @Override
        Channel accepted(SocketChannel socket) {
            return new CountingChannel(this, socket);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aClientThatKeepsUpNeverPausesTheUpstreamRead() throws Exception {
        int port = startProxy(this::serveOneBigAnswer, CountingChannel.class, ShortWriteCountingServerChannel.class);
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(readResponseBody(client.getInputStream())).isEqualTo(BODY);
        }
        // 128 reads of 64 KiB: before, one resume per read; now only after the client's socket did not take a write
        // (how often that happens depends on how fast the test's reader runs on a loaded machine; the bound does not)
        assertThat(RESUMES.get()).as("upstream read resumes for %d MiB, %d short writes to the client",
                BODY >> 20, SHORT_WRITES.get()).isLessThanOrEqualTo(SHORT_WRITES.get() + 2);
    }

    @Test
    void anUpstreamThatKeepsUpNeverPausesTheClientRead() throws Exception {
        int port = startProxy(this::takeOneBigUpload, ShortWriteCountingChannel.class, CountingServerChannel.class);
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            OutputStream out = client.getOutputStream();
            out.write(("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + BODY + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[256 * 1024];
            for (int sent = 0; sent < BODY; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            assertThat(readResponseBody(client.getInputStream())).isEqualTo(String.valueOf(BODY).length());
        }
        assertThat(RESUMES.get()).as("client read resumes for %d MiB, %d short writes upstream",
                BODY >> 20, SHORT_WRITES.get()).isLessThanOrEqualTo(SHORT_WRITES.get() + 2);
    }

    /** A proxy on a free port in front of {@code backendWork} (one connection); the given channel classes. */
    private int startProxy(OneBackendProxy.Backend backendWork, Class<? extends Channel> upstreamChannel,
                           Class<? extends ServerChannel> listenerChannel) throws Exception {
        RESUMES.set(0);
        SHORT_WRITES.set(0);
        proxy = OneBackendProxy.start(backendWork, upstreamChannel, listenerChannel, GatewayServerTest.options());
        return proxy.port;
    }

    private void serveOneBigAnswer(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        OneBackendProxy.readHead(in);
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + BODY + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        byte[] chunk = new byte[256 * 1024];
        for (int sent = 0; sent < BODY; sent += chunk.length) {
            out.write(chunk);
        }
        out.flush();
        in.read(); // until the proxy closes or pools the connection
    }

    private void takeOneBigUpload(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        OneBackendProxy.readHead(in);
        byte[] buf = new byte[256 * 1024];
        long got = 0;
        for (int n; got < BODY && (n = in.read(buf)) > 0; ) {
            got += n;
        }
        String count = String.valueOf(got);
        String status = got == BODY ? "200 OK" : "500 Short";
        s.getOutputStream().write(("HTTP/1.1 " + status + "\r\nContent-Length: " + count.length() + "\r\n\r\n"
                + count).getBytes(StandardCharsets.ISO_8859_1));
        in.read();
    }

    /** Reads a response head with a Content-Length and its body; returns the body's length. */
    private static long readResponseBody(InputStream in) throws Exception {
        String head = OneBackendProxy.readHead(in);
        assertThat(head).startsWith("HTTP/1.1 200");
        long length = OneBackendProxy.contentLength(head);
        byte[] buf = new byte[256 * 1024];
        long got = 0;
        while (got < length) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, length - got));
            assertThat(n).as("body bytes").isPositive();
            got += n;
        }
        return got;
    }
}
