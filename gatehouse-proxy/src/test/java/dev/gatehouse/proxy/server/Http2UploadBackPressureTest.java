package dev.gatehouse.proxy.server;

import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An h2 upload to a backend that stops reading for a while: the gateway stops giving the stream flow-control
 * window while the upstream connection is full (it holds at most a window of the body), and gives back what it
 * held once the backend reads again, so the upload ends instead of stalling for good.
 */
class Http2UploadBackPressureTest {
    private static final int BODY = 24 * 1024 * 1024; // more than the loopback socket buffers on the way hold

    private OneBackendProxy proxy;

    @AfterEach
    void tearDown() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void anUploadPausedByASlowBackendResumesAndEnds() throws Exception {
        ServerOptions options = new ServerOptions("127.0.0.1", 1, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(30), 8192, 4096);
        proxy = OneBackendProxy.start(s -> OneBackendProxy.countTheBodyThenAnswer(s, 2000), NioSocketChannel.class,
                NioServerSocketChannel.class, options);
        Path file = Files.createTempFile("gatehouse-h2-paused", ".bin");
        try {
            Files.write(file, new byte[BODY]);
            String out = ProxyIntegrationTest.curl("--http2-prior-knowledge", "-H", "Expect:", "--data-binary",
                    "@" + file, "http://127.0.0.1:" + proxy.port + "/up");
            assertThat(out).isEqualTo(String.valueOf(BODY));
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
