package dev.gatehouse.app.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * SIGTERM and SIGINT, caught from before the gateway starts: a signal that arrives between /ready turning 200 and
 * the wait for it (a pod terminated right after it became ready) would otherwise meet the JVM's default and exit
 * without draining. The first signal is latched for {@link GatewayRuntime#awaitShutdown}; a second exits at once.
 * {@code sun.misc.Signal} rather than only a shutdown hook: a hook runs after the JVM has chosen exit status 128+n.
 */
final class TerminationSignals {
    private static final Logger log = LoggerFactory.getLogger(TerminationSignals.class);
    private final CountDownLatch signalled = new CountDownLatch(1);
    private final AtomicReference<String> received = new AtomicReference<>();

    private TerminationSignals() {
    }

    /** Takes over SIGTERM and SIGINT now; call before anything reports ready. */
    static TerminationSignals install() {
        TerminationSignals signals = new TerminationSignals();
        handle(sig -> {
            handle(again -> {
                log.warn("SIG{} again: exiting without waiting for the drain", again.getName());
                Runtime.getRuntime().halt(128 + again.getNumber());
            });
            signals.received.set("SIG" + sig.getName());
            signals.signalled.countDown();
        });
        return signals;
    }

    /** @return the first signal's name ("SIGTERM"), once one has arrived */
    String await() throws InterruptedException {
        signalled.await();
        return received.get();
    }

    private static void handle(SignalHandler handler) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), handler);
            } catch (IllegalArgumentException e) {
                // this JVM keeps the signal (e.g. -Xrs): the runtime's shutdown hook still drains
                log.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
    }
}
