package dev.gatehouse.routing.ratelimit;

import java.util.concurrent.CompletionStage;

/** Where global rules count, shared by every gateway replica (Redis). Must never block the caller. */
public interface GlobalRateLimitStore {
    /**
     * Spends {@code cost} from the counter {@code key} if it fits.
     *
     * @return completes (on any thread) with the counter's answer, or exceptionally when the store cannot answer
     */
    CompletionStage<Quota> hit(String key, long limit, long windowMillis, long cost);
}
