package dev.gatehouse.routing.ratelimit;

/**
 * One counter's answer.
 *
 * @param allowed whether the request fits
 * @param remaining requests left in the window after this one
 * @param resetMillis until the counter is whole again (local) or the window ends (global)
 * @param retryAfterMillis until a request would fit again; 0 when allowed
 */
public record Quota(boolean allowed, long remaining, long resetMillis, long retryAfterMillis) { }
