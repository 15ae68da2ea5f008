package dev.gatehouse.proxy.resilience;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.ArrayList;

/**
 * The request body sent so far, kept for a retry: a retained duplicate of each content written upstream (so the
 * bytes stay while the written original is consumed), up to {@link #MAX_BYTES}. A body that grows past the bound
 * drops the copy and the request is no longer replayable. Every content held is released exactly once, by
 * {@link #release()}, once a response head is relayed or the exchange ends.
 */
public final class ReplayBuffer {
    /** Request body bytes a retry can replay; a larger body disables retries for its request. */
    public static final int MAX_BYTES = 64 * 1024;

    private ArrayList<HttpContent> held = new ArrayList<>(2);
    private long bytes;
    private boolean overflowed;

    /** Keeps a copy of {@code c}, which is about to be written upstream. */
    public void add(HttpContent c) {
        if (held == null) {
            return;
        }
        bytes += c.content().readableBytes();
        if (bytes > MAX_BYTES) {
            overflowed = true;
            release();
            return;
        }
        held.add(c.retainedDuplicate());
    }

    /** @return true while every byte sent so far is held (false once over the bound or released) */
    public boolean complete() {
        return held != null;
    }

    /** @return true when the body outgrew {@link #MAX_BYTES} */
    public boolean overflowed() {
        return overflowed;
    }

    /**
     * Writes (without flushing) the held body to {@code up} for a retry; the copies stay held.
     *
     * @return true when that was the whole request (its last content was held)
     */
    public boolean replay(Channel up) {
        boolean last = false;
        for (HttpContent c : held) {
            up.write(c.retainedDuplicate(), up.voidPromise());
            last = c instanceof LastHttpContent;
        }
        return last;
    }

    /** Lets go of the held contents; later calls do nothing. */
    public void release() {
        ArrayList<HttpContent> h = held;
        held = null;
        if (h != null) {
            for (HttpContent c : h) {
                c.release();
            }
        }
    }
}
