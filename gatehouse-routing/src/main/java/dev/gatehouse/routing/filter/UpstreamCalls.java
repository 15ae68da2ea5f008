package dev.gatehouse.routing.filter;

import dev.gatehouse.routing.balance.Cluster;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A question a filter asks another cluster before the request goes on (an ext-auth check), sent through the
 * proxy's own upstream connections on the request's event loop. The proxy gives each exchange one
 * ({@link HttpExchange#upstreamCalls()}); the routing module only sees this interface.
 */
public interface UpstreamCalls {
    /** For an exchange no proxy serves (explain, unit tests): every call fails. */
    UpstreamCalls NONE = (cluster, head, timeout, maxBodyBytes) -> CompletableFuture.failedFuture(
            new IllegalStateException("no upstream connections here"));

    /**
     * Sends {@code head} without a body to an endpoint of {@code cluster} over HTTP/1.1 (the cluster's TLS if it has
     * one) and reads the whole answer.
     *
     * @param timeout for the whole call: connect, request and answer
     * @param maxBodyBytes an answer body longer than this fails the call
     * @return completes on the request's event loop, with the answer, or exceptionally: a
     *         {@link java.util.concurrent.TimeoutException}, a connect or connection error, an oversized answer
     */
    CompletionStage<Answer> call(Cluster cluster, HttpRequest head, Duration timeout, int maxBodyBytes);

    /** A final answer (1xx skipped), its body copied out of Netty's buffers so it outlives them. */
    record Answer(int status, HttpHeaders headers, byte[] body) { }
}
