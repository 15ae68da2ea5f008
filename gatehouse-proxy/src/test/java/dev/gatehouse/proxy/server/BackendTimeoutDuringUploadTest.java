package dev.gatehouse.proxy.server;

import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's default backend timeout (no route or policy timeout set) is how long a backend may take to answer
 * once it has the request, as Envoy's route timeout counts from the end of the downstream request: an upload that
 * takes longer than it, to a backend that keeps reading, is not cut off. A backend that stops reading the body (and
 * so stops the upload through back-pressure) still gets a 504 one timeout after the last body bytes went to it,
 * never a hang.
 */
class BackendTimeoutDuringUploadTest {
    private static final Duration BACKEND_TIMEOUT = Duration.ofSeconds(1);

    private OneBackendProxy proxy;

    @AfterEach
    void tearDown() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void anUploadLongerThanTheBackendTimeoutToABackendThatKeepsReadingGetsItsAnswer() throws Exception {
        int chunks = 30;
        int chunk = 1000;
        int port = startProxy(s -> OneBackendProxy.countTheBodyThenAnswer(s, 0));
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            OutputStream out = client.getOutputStream();
            out.write(("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + chunks * chunk + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // 30 pieces 100 ms apart: at least 3 s of upload against a 1 s backend timeout
            for (int i = 0; i < chunks; i++) {
                out.write(new byte[chunk]);
                out.flush();
                Thread.sleep(100);
            }
            String answer = readAnswer(client.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n" + chunks * chunk);
        }
    }

    @Test
    void aBackendThatStopsReadingTheBodyGetsA504AfterTheTimeoutNotAHang() throws Exception {
        int port = startProxy(this::readTheHeadOnly);
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            OutputStream out = client.getOutputStream();
            long body = 256L * 1024 * 1024; // more than every socket buffer on the way holds
            out.write(("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + body + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            CountDownLatch stopped = new CountDownLatch(1);
            Thread writer = new Thread(() -> {
                byte[] piece = new byte[64 * 1024];
                try {
                    for (long sent = 0; sent < body; sent += piece.length) {
                        out.write(piece);
                    }
                } catch (Exception closed) {
                    // the gateway answered and closed, or the test closed the socket
                } finally {
                    stopped.countDown();
                }
            }, "upload");
            writer.start();
            String answer = readAnswer(client.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 504").contains("upstream timeout");
            client.close();
            assertThat(stopped.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private int startProxy(OneBackendProxy.Backend backendWork) throws Exception {
        ServerOptions options = new ServerOptions("127.0.0.1", 1, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(1), BACKEND_TIMEOUT, 8192, 4096);
        proxy = OneBackendProxy.start(backendWork, NioSocketChannel.class, NioServerSocketChannel.class, options);
        return proxy.port;
    }

    private void readTheHeadOnly(Socket s) throws Exception {
        OneBackendProxy.readHead(s.getInputStream());
        Thread.sleep(60_000); // neither reads the body nor answers, until the test closes the listener
    }

    /** A response with a Content-Length: its head and body as text. */
    private static String readAnswer(InputStream in) throws Exception {
        String head = OneBackendProxy.readHead(in);
        long length = OneBackendProxy.contentLength(head);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int b; body.size() < length && (b = in.read()) >= 0; ) {
            body.write(b);
        }
        return head + body.toString(StandardCharsets.ISO_8859_1);
    }
}
