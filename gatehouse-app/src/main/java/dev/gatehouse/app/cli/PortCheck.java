package dev.gatehouse.app.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Whether a port can be bound, asked before anything starts so that a taken port fails in one line, before the
 * data plane has logged a word. A port taken between the check and the real bind still fails there.
 */
final class PortCheck {
    private PortCheck() {
    }

    static boolean inUse(InetSocketAddress address) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as the real servers bind: a port in TIME_WAIT is free
            probe.bind(address);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** A port nothing listens on now (the training run's listener, admin and absent API server). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
