package dev.gatehouse.proxy.upstream;

/**
 * The exchange currently using an upstream connection. {@link UpstreamHandler} forwards every event of the
 * connection here, so a pooled connection keeps its pipeline and only this pointer changes per request.
 * All methods run on the connection's event loop.
 */
public interface UpstreamListener {

    /** A decoded response object (or, after a 101, raw bytes); the listener owns {@code msg}. */
    void onUpstreamRead(Object msg);

    /** End of one read batch: the place to flush whatever was written to the client. */
    void onUpstreamReadComplete();

    void onUpstreamWritabilityChanged(boolean writable);

    /** The connection closed while bound to this listener; {@code cause} is null for a plain close. */
    void onUpstreamInactive(Throwable cause);

    /** @return the next System.nanoTime() deadline this listener cares about, or 0 for none */
    long deadlineNanos();

    /** Called once {@link #deadlineNanos()} has passed (checked lazily by one timer per connection). */
    void onDeadline();
}
