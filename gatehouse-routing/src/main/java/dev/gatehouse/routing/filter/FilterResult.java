package dev.gatehouse.routing.filter;

import io.netty.handler.codec.http.FullHttpResponse;

import java.util.concurrent.CompletionStage;

/** What a filter decided about a request. */
public sealed interface FilterResult {
    Continue CONTINUE = new Continue();

    /** Go on with the next filter, then the backend. */
    record Continue() implements FilterResult { }

    /** Answer the client with this response; no backend sees the request. The proxy releases it once written. */
    record Respond(FullHttpResponse response) implements FilterResult { }

    /**
     * Wait without blocking (e.g. a Redis or JWKS call); the proxy resumes the filter chain on the request's
     * event loop when the stage completes, with the result it completes with.
     */
    record Suspend(CompletionStage<FilterResult> resume) implements FilterResult { }
}
