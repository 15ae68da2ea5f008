package dev.gatehouse.proxy.server;

import java.util.concurrent.TimeUnit;

/**
 * Counts what a client can make us do for free, per fixed window, so that {@link Http2Frontend} ends the connection
 * with GOAWAY(ENHANCE_YOUR_CALM) when it asks for more than a legitimate client ever would:
 * <ul>
 *   <li>PING and SETTINGS frames (each costs an ACK). Netty's {@code encoderEnforceMaxQueuedControlFrames} only
 *       catches a flooder that does not read its ACKs; one that reads them would otherwise burn a core.</li>
 *   <li>Stream errors the client provokes on streams it opened (MadeYouReset, CVE-2025-8671: a zero WINDOW_UPDATE,
 *       a flow-control violation, a malformed frame), so that a client cannot start and kill backend requests
 *       forever whatever code the resets carry.</li>
 * </ul>
 * Confined to the connection's event loop.
 */
final class Http2FloodGuard {
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** PINGs per window: keep-alive pingers send one every few seconds; 100/s is far beyond that. */
    static final int MAX_PINGS_PER_WINDOW = 1000;
    /** SETTINGS per window: a client sends one, maybe a few; 100 is abuse. */
    static final int MAX_SETTINGS_PER_WINDOW = 100;
    /** Client-provoked stream errors per window (the same budget as Netty's server-sent RST limit). */
    static final int MAX_STREAM_ERRORS_PER_WINDOW = FrontendInitializer.MAX_SERVER_RESETS;
    static final long STREAM_ERROR_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(FrontendInitializer.RESET_WINDOW_SECONDS);

    private long windowStartNanos = System.nanoTime();
    private int pings;
    private int settings;
    private long streamErrorWindowStartNanos = System.nanoTime();
    private int streamErrors;
    private boolean closing;

    /** A PING (not an ACK) was read; returns true past the budget. */
    boolean ping() {
        roll();
        return ++pings > MAX_PINGS_PER_WINDOW;
    }

    /** A SETTINGS frame (not an ACK) was read; returns true past the budget. */
    boolean settings() {
        roll();
        return ++settings > MAX_SETTINGS_PER_WINDOW;
    }

    /** The client provoked a stream error; returns true past the budget. */
    boolean streamError() {
        long now = System.nanoTime();
        if (now - streamErrorWindowStartNanos >= STREAM_ERROR_WINDOW_NANOS) {
            streamErrorWindowStartNanos = now;
            streamErrors = 0;
        }
        return ++streamErrors > MAX_STREAM_ERRORS_PER_WINDOW;
    }

    /** Whether the GOAWAY went out already. */
    boolean closing() {
        return closing;
    }

    /** Returns true the first time: the caller sends the GOAWAY. */
    boolean close() {
        if (closing) {
            return false;
        }
        closing = true;
        return true;
    }

    private void roll() {
        long now = System.nanoTime();
        if (now - windowStartNanos >= WINDOW_NANOS) {
            windowStartNanos = now;
            pings = 0;
            settings = 0;
        }
    }
}
