package dev.gatehouse.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports a test may hand to a process it starts, chosen <em>below</em> the kernel's ephemeral range.
 *
 * <p>Why not {@code new ServerSocket(0)} and close it: that port comes from the ephemeral range, and between the
 * close and the gateway's bind the kernel may give it to any other socket of the test (a mock API server bound to
 * port 0, a client's connect), which then answers on the "gateway's" port. A port below the range is never handed out
 * by the kernel on its own, so only another explicit choice can take it; each JVM walks the range from its own
 * starting point and never hands out the same port twice.
 */
public final class FreePorts {
    private static final int FIRST = 12_000;
    private static final int EPHEMERAL_LOW = ephemeralLow();
    private static final int SPAN = Math.max(0, EPHEMERAL_LOW - FIRST);
    private static final AtomicInteger NEXT = new AtomicInteger(
            SPAN == 0 ? 0 : (int) Math.floorMod(ProcessHandle.current().pid() * 7_919L + System.nanoTime(), SPAN));

    private FreePorts() {
    }

    /** A TCP port free on every address (wildcard and loopback). */
    public static int tcp() throws IOException {
        return tcp(null);
    }

    /** A TCP port free on {@code host} (null: the wildcard address). */
    public static int tcp(String host) throws IOException {
        for (int tries = 0; tries < SPAN; tries++) {
            int port = candidate();
            if (tcpFree(host, port) && (host == null || tcpFree(null, port))) {
                return port;
            }
        }
        try (ServerSocket s = new ServerSocket()) {
            s.bind(host == null ? new InetSocketAddress(0) : new InetSocketAddress(host, 0));
            return s.getLocalPort();
        }
    }

    /** A UDP port free on loopback. */
    public static int udp() throws IOException {
        for (int tries = 0; tries < SPAN; tries++) {
            int port = candidate();
            try (DatagramSocket s = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // next one
            }
        }
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int candidate() {
        return FIRST + Math.floorMod(NEXT.getAndIncrement(), SPAN);
    }

    private static boolean tcpFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static int ephemeralLow() {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException notLinux) {
            return 32_768;
        }
    }
}
