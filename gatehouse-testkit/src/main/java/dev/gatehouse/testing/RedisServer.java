package dev.gatehouse.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package) on a free loopback port, without persistence, for tests of
 * global rate limits. Tests skip when the binary is missing ({@link #available}); {@code .ci/run} installs it.
 */
public final class RedisServer implements AutoCloseable {
    private static final Path BINARY = List.of(Path.of("/usr/bin/redis-server"), Path.of("/usr/local/bin/redis-server"))
            .stream().filter(Files::isExecutable).findFirst().orElse(null);

    private final int port;
    private final List<String> args;
    private Process process;

    private RedisServer(int port, List<String> args) {
        this.port = port;
        this.args = args;
    }

    /** Whether redis-server is installed; tests say "apt-get install redis-server" when it is not. */
    public static boolean available() {
        return BINARY != null;
    }

    public static RedisServer start() throws IOException, InterruptedException {
        return start(freePort(), List.of());
    }

    /**
     * @param args first a config file when the mode needs one (Sentinel rewrites its own), then options such as
     *             {@code --sentinel} or {@code --cluster-enabled yes}
     */
    public static RedisServer start(int port, List<String> args) throws IOException, InterruptedException {
        RedisServer r = new RedisServer(port, List.copyOf(args));
        r.resume();
        return r;
    }

    public static int freePort() throws IOException {
        return dev.gatehouse.testing.FreePorts.tcp();
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it (again, on the same port) and waits until it answers PING. */
    public synchronized void resume() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> cmd = new java.util.ArrayList<>(List.of(BINARY.toString()));
        int options = 0;
        if (!args.isEmpty() && !args.get(0).startsWith("--")) {
            cmd.add(args.get(0)); // the config file goes first
            options = 1;
        }
        cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--protected-mode", "no"));
        cmd.addAll(args.subList(options, args.size()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + " on port " + port);
            }
            if (pong()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException("redis-server did not answer PING on port " + port + " within 20 s");
    }

    /** Stops it and waits until it is gone, as an outage would. */
    public synchronized void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private boolean pong() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            return new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
