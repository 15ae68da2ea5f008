package dev.gatehouse.ir;

import java.time.Duration;

/**
 * An HTTPRoute rule's {@code sessionPersistence} (Gateway API): the first answer names the endpoint (opaquely) in a
 * cookie or header; later requests carrying it stay on that endpoint while it is healthy.
 *
 * @param type COOKIE or HEADER
 * @param sessionName the cookie or header name (default: derived from the route, as the spec allows)
 * @param absoluteTimeout how long a session lasts from its start, or {@code null}
 * @param idleTimeout how long a session lasts without a request, or {@code null}
 * @param permanentCookie {@code cookieConfig.lifetimeType: Permanent} (the cookie gets Max-Age from
 *                        absoluteTimeout), else a session cookie
 */
public record SessionPersistenceSpec(Type type, String sessionName, Duration absoluteTimeout, Duration idleTimeout,
                                     boolean permanentCookie) {
    public enum Type { COOKIE, HEADER }
}
