package dev.gatehouse.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code examples/hardened/} exactly as shipped (listener 8080, backend 127.0.0.1:18080), served by the jar: the
 * deny holds for every spelling of /admin, smuggling shapes get 400, upgrades outside /ws are refused, and the
 * backend sees only what it should. Skipped when 8080 or 18080 is taken on this machine.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HardenedExampleEndToEndTest {
    static ServerSocket backend;
    static final List<String> seen = new CopyOnWriteArrayList<>();
    static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(free(8080) && free(18080), "ports 8080 and 18080 must be free for examples/hardened");
        backend = new ServerSocket();
        backend.setReuseAddress(true);
        backend.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 18080));
        Thread t = new Thread(HardenedExampleEndToEndTest::serve, "hardened-backend");
        t.setDaemon(true);
        t.start();
        gateway = GatewayProcess.start(Path.of("../examples/hardened"), "-Xmx256m");
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @ParameterizedTest(name = "{0} -> {1}, backend sees [{2}]")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "GET /x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|200|/x",
            "GET /x/../y//z HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|200|/y/z",
            "GET /admin HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|403|none",
            "GET /admin/users HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|403|none",
            "GET //admin HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|403|none",
            "GET /x/%2e%2e/%61dmin HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|403|none",
            "GET /admin;jsessionid=1/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|403|none",
            "GET /admin%2Fusers HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|403|none",
            "GET /x/..;/admin HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|none",
            "GET /%ef%bc%8fadmin HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400|none",
            "POST /x HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 6\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\nG|400|none",
            "GET /x HTTP/1.1\\r\\nHost: a\\r\\nConnection: Upgrade\\r\\nUpgrade: websocket\\r\\n\\r\\n|403|none",
            "GET /admin/ws HTTP/1.1\\r\\nHost: a\\r\\nConnection: Upgrade\\r\\nUpgrade: websocket\\r\\n\\r\\n|403|none",
            "GET /ws/chat HTTP/1.1\\r\\nHost: a\\r\\nConnection: Upgrade\\r\\nUpgrade: websocket\\r\\n\\r\\n|200|/ws/chat",
    })
    void theContractHolds(String request, int status, String backendPath) throws Exception {
        seen.clear();
        String reply = send(request.replace("\\r\\n", "\r\n"));
        assertThat(reply).startsWith("HTTP/1.1 " + status);
        Thread.sleep(100);
        if (backendPath == null) {
            assertThat(seen).isEmpty();
        } else {
            assertThat(seen).containsExactly(backendPath);
        }
    }

    /** A minimal backend: records each request's path, answers 200 and closes; bare connects (health checks) are not requests. */
    private static void serve() {
        while (!backend.isClosed()) {
            try (Socket s = backend.accept()) {
                s.setSoTimeout(2000);
                InputStream in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                int b;
                while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
                    head.append((char) b);
                }
                if (head.length() == 0) {
                    continue; // an active health check's TCP connect: no request
                }
                String line = head.toString().split("\r\n", 2)[0];
                String[] parts = line.split(" ");
                seen.add(parts.length > 1 ? parts[1] : line);
                s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                        .getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // next connection
            }
        }
    }

    private static String send(String raw) throws IOException {
        try (Socket s = new Socket("127.0.0.1", 8080)) {
            s.setSoTimeout(1500);
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = s.getInputStream().read(buf)) >= 0) {
                    out.write(buf, 0, n);
                }
            } catch (SocketTimeoutException quiet) {
                // kept alive
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
