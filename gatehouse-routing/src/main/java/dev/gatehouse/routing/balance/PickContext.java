package dev.gatehouse.routing.balance;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What a balancer may look at when it picks for one request. Implemented by the request's own state (no object per
 * pick); each accessor is read only by the algorithms that need it (a hash on a header reads that header, round
 * robin reads nothing), so the common case parses no query string and no cookie.
 */
public interface PickContext {
    /** For callers that have no request (L4, mirrors, probes): no address, no headers, nothing to avoid. */
    PickContext NONE = new PickContext() {
    };

    /** The client's address (after the PROXY protocol), or {@code null}. */
    default InetAddress sourceAddress() {
        return null;
    }

    /** The first value of a request header, or {@code null}. */
    default String header(CharSequence name) {
        return null;
    }

    /** The first value of a query parameter, or {@code null}. */
    default String queryParam(String name) {
        return null;
    }

    /** A request cookie's value, or {@code null}. */
    default String cookie(String name) {
        return null;
    }

    /**
     * An endpoint not to pick when another is available (a retry goes elsewhere), or {@code null}.
     */
    default InetSocketAddress avoid() {
        return null;
    }

    /**
     * The value this request's first pick generated for {@code cookie} (the request had none), or {@code null}.
     * Every pick of the request (the backendRef, then the endpoint) must hash the same value.
     */
    default String generatedCookie(HashCookie cookie) {
        return null;
    }

    /** Keeps a generated hash cookie for the later picks of this request; the response sets it. */
    default void generatedCookie(HashCookie cookie, String value) {
    }

    /**
     * The endpoint this request's session names (sessionPersistence), or {@code null}: the cluster picks it while it
     * is listed, routable and not {@link #avoid avoided}.
     */
    default InetSocketAddress preferred() {
        return null;
    }

    /** Records the endpoint a valid session token named, and when that session started (epoch seconds). */
    default void preferred(InetSocketAddress endpoint, long sessionStart) {
    }
}
