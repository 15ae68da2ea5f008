package dev.gatehouse.proxy.observe;

/** How one mirror copy of a request (RequestMirror) ended; a closed set, so its counters can be bound per route. */
public enum MirrorResult {
    /** The mirror backend answered (any final status). */
    SENT("sent"),
    /** Connect error, the connection failing before an answer, or the backend timeout. */
    FAILED("failed"),
    /**
     * Not (completely) sent, on purpose: no ready endpoint, too much body queued while connecting, the mirror's
     * connection not writable, or the real request aborted before the copy was complete.
     */
    DROPPED("dropped");

    private final String label;

    MirrorResult(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
