package dev.gatehouse.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code examples/hardened/} as shipped, served by the jar: the deny holds for every spelling of /admin, smuggling
 * shapes get 400, upgrades outside /ws are refused, and the backend sees only what it should. Only its two ports
 * change (listener 8080 and backend 127.0.0.1:18080 become free ports, in a copy), so that a busy 8080 on this
 * machine cannot skip the test or send it to someone else's server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HardenedExampleEndToEndTest {
    static final Path EXAMPLE = Path.of("../examples/hardened");
    static ServerSocket backend;
    static final List<String> seen = new CopyOnWriteArrayList<>();
    static GatewayProcess gateway;
    static int port;
    @TempDir
    static Path config;

    @BeforeAll
    static void start() throws Exception {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        port = GatewayProcess.freePort();
        copyWithPorts(port, backend.getLocalPort());
        Thread t = new Thread(HardenedExampleEndToEndTest::serve, "hardened-backend");
        t.setDaemon(true);
        t.start();
        gateway = GatewayProcess.start(config, "-Xmx256m");
    }

    /** The example's files with 8080 (listener) and 18080 (backend) replaced; fails if either is not there. */
    private static void copyWithPorts(int listener, int backendPort) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(EXAMPLE)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                String text = Files.readString(f).replaceAll("\\b8080\\b", String.valueOf(listener))
                        .replaceAll("\\b18080\\b", String.valueOf(backendPort));
                Files.writeString(config.resolve(f.getFileName()), text);
                all.append(text);
            }
        }
        assertThat(all.toString()).as("examples/hardened with its ports replaced")
                .contains("port: " + listener, "port: " + backendPort);
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
                s.setSoTimeout(15_000);
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

    /** @return the response head: reading stops there, so a kept-alive connection costs no wait */
    private static String send(String raw) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000); // only a missing answer waits this long
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            int b;
            while (head.indexOf("\r\n\r\n") < 0 && (b = in.read()) >= 0) {
                head.append((char) b);
            }
            return head.toString();
        }
    }
}
