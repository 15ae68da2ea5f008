package dev.gatehouse.routing.filter;

/**
 * The draft-03 {@code x-ratelimit-*} values a rate-limit filter decided on, kept on the exchange so that the
 * filter's response hook can add them to the backend's answer (EG sends them on answers that pass too).
 *
 * @param limit {@code x-ratelimit-limit}, e.g. {@code 3} (local) or {@code 3, 3;w=3600} (global)
 * @param remaining {@code x-ratelimit-remaining}
 * @param resetSeconds {@code x-ratelimit-reset}
 */
public record RateLimitHeaders(String limit, long remaining, long resetSeconds) { }
