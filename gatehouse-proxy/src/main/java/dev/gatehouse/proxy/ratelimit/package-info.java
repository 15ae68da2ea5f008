/** The global rate-limit store: counters in Redis (Lettuce), for {@code gatehouse run --rate-limit-redis}. */
package dev.gatehouse.proxy.ratelimit;
