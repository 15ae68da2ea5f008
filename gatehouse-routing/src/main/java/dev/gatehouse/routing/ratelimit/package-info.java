/**
 * Rate limiting (BackendTrafficPolicy {@code rateLimit}): {@link dev.gatehouse.routing.ratelimit.RateLimitFilter}
 * runs first among a route rule's filters; local rules spend from {@link dev.gatehouse.routing.ratelimit.TokenBucket}s
 * kept by {@link dev.gatehouse.routing.ratelimit.RateLimiters} across reloads, global ones ask the
 * {@link dev.gatehouse.routing.ratelimit.GlobalRateLimitStore} (Redis) and suspend the request meanwhile.
 */
package dev.gatehouse.routing.ratelimit;
