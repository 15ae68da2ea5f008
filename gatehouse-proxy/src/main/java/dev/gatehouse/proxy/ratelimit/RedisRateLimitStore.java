package dev.gatehouse.proxy.ratelimit;

import dev.gatehouse.routing.ratelimit.GlobalRateLimitStore;
import dev.gatehouse.routing.ratelimit.Quota;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Global rate-limit counters in Redis through Lettuce: one EVALSHA of an atomic sliding-window script per counter
 * and request (EVAL once when Redis does not know the script yet, which also loads it). Lettuce's own event loop
 * does the I/O; the caller gets a stage and never waits.
 *
 * <p>Standalone, Sentinel ({@code redis-sentinel://}) and TLS ({@code rediss://}) come from Lettuce's URI; several
 * URIs separated by commas ({@code redis://n1:7000,redis://n2:7001}, or {@code redis://n1:7000,n2:7001}) are the seed
 * nodes of a Redis Cluster. While Redis is unreachable, commands fail at once
 * (never queued) or after {@link #TIMEOUT}, each counted in {@link #errors()}, logged at most every 5 seconds.
 */
public final class RedisRateLimitStore implements GlobalRateLimitStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimitStore.class);
    static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(5).toNanos();
    private static final String PREFIX = "gatehouse:ratelimit:";
    private static final String SCRIPT = script();

    private static final String SHA = sha1(SCRIPT);

    private final AbstractRedisClient client;
    private final RedisURI first;
    private final String redacted;
    private final AtomicReference<CompletableFuture<RedisScriptingAsyncCommands<String, String>>> connection =
            new AtomicReference<>();
    private volatile String sha;
    private final LongAdder errors = new LongAdder();
    /** Held here: Micrometer keeps only a weak reference to what a FunctionCounter reads. */
    private final LongSupplier errorCount = errors::sum;
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    /** @param uri a Lettuce URI, or several comma-separated for a Cluster's seed nodes */
    public RedisRateLimitStore(String uri) {
        List<RedisURI> uris = new ArrayList<>();
        if (uri.startsWith("redis-sentinel")) {
            uris.add(RedisURI.create(uri)); // its commas separate sentinels, which Lettuce reads itself
        } else {
            String scheme = uri.contains("://") ? uri.substring(0, uri.indexOf("://") + 3) : "redis://";
            for (String part : uri.split(",")) {
                String p = part.trim();
                uris.add(RedisURI.create(p.contains("://") ? p : scheme + p));
            }
        }
        // host:port only: a URI may carry a password
        this.redacted = uris.stream().flatMap(u -> u.getSentinels().isEmpty() ? java.util.stream.Stream.of(u)
                : u.getSentinels().stream()).map(u -> u.getHost() + ":" + u.getPort()).toList().toString();
        TimeoutOptions timeouts = TimeoutOptions.enabled(TIMEOUT);
        if (uris.size() > 1) {
            RedisClusterClient cluster = RedisClusterClient.create(uris);
            cluster.setOptions(ClusterClientOptions.builder().timeoutOptions(timeouts)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
            this.client = cluster;
        } else {
            RedisClient single = RedisClient.create(uris.get(0));
            single.setOptions(ClientOptions.builder().timeoutOptions(timeouts)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
            this.client = single;
        }
        this.first = uris.get(0);
    }

    /** Connects in the background; requests meanwhile count as errors (fail open or closed, as configured). */
    public RedisRateLimitStore start() {
        connection();
        return this;
    }

    /** Redis calls that failed or timed out, for {@code gatehouse_ratelimit_redis_errors_total}. */
    public long errors() {
        return errors.sum();
    }

    /** {@link #errors}, for a meter; as long-lived as this store. */
    public LongSupplier errorCount() {
        return errorCount;
    }

    @Override
    public CompletionStage<Quota> hit(String key, long limit, long windowMillis, long cost) {
        String[] keys = {PREFIX + key};
        String[] args = {Long.toString(limit), Long.toString(windowMillis), Long.toString(cost)};
        CompletableFuture<RedisScriptingAsyncCommands<String, String>> c = connection();
        if (!c.isDone() || c.isCompletedExceptionally()) {
            return failed(new IllegalStateException("not connected to Redis " + redacted));
        }
        RedisScriptingAsyncCommands<String, String> redis = c.join();
        String known = sha;
        CompletionStage<List<Object>> answer = known == null ? eval(redis, keys, args)
                : redis.<List<Object>>evalsha(known, ScriptOutputType.MULTI, keys, args)
                .handle((r, e) -> e == null ? CompletableFuture.completedFuture(r)
                        : noScript(e) ? eval(redis, keys, args) : CompletableFuture.<List<Object>>failedFuture(e))
                .thenCompose(s -> s);
        return answer.handle((r, e) -> {
            if (e != null) {
                throw failure(e);
            }
            return new Quota(((Long) r.get(0)) == 1L, (Long) r.get(1), (Long) r.get(2), (Long) r.get(3));
        });
    }

    private CompletionStage<List<Object>> eval(RedisScriptingAsyncCommands<String, String> redis, String[] keys,
                                               String[] args) {
        // EVAL loads the script into Redis's cache: later calls send only its digest
        return redis.<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args).thenApply(r -> {
            sha = SHA;
            return r;
        });
    }

    private static boolean noScript(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof RedisNoScriptException || String.valueOf(t.getMessage()).startsWith("NOSCRIPT");
    }

    /** The connection, (re)connecting when there is none or the last attempt failed. */
    private CompletableFuture<RedisScriptingAsyncCommands<String, String>> connection() {
        CompletableFuture<RedisScriptingAsyncCommands<String, String>> c = connection.get();
        if (c != null && !c.isCompletedExceptionally()) {
            return c;
        }
        CompletableFuture<RedisScriptingAsyncCommands<String, String>> next = new CompletableFuture<>();
        if (!connection.compareAndSet(c, next)) {
            return connection.get();
        }
        CompletionStage<? extends StatefulConnection<String, String>> connecting = client instanceof RedisClusterClient cl
                // the async connect needs the topology first (the sync one loads it itself)
                ? cl.refreshPartitionsAsync().thenCompose(loaded -> cl.connectAsync(StringCodec.UTF8))
                : ((RedisClient) client).connectAsync(StringCodec.UTF8,
                first);
        connecting.whenComplete((conn, e) -> {
            if (e != null) {
                failure(e);
                next.completeExceptionally(e);
            } else {
                LOG.info("rate limits: connected to Redis {}", redacted);
                next.complete(conn instanceof io.lettuce.core.api.StatefulRedisConnection<String, String> s ? s.async()
                        : ((io.lettuce.core.cluster.api.StatefulRedisClusterConnection<String, String>) conn).async());
            }
        });
        return next;
    }

    private RuntimeException failure(Throwable e) {
        errors.increment();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            LOG.warn("rate limits: Redis {} did not answer ({}{}); {} errors so far", redacted, e.getMessage(),
                    cause == e ? "" : ": " + cause, errors());
        }
        return e instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(e);
    }

    private CompletionStage<Quota> failed(Exception e) {
        return CompletableFuture.failedFuture(failure(e));
    }

    private static String sha1(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String script() {
        try (InputStream in = RedisRateLimitStore.class.getResourceAsStream("sliding-window.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("sliding-window.lua missing from the jar", e);
        }
    }

    @Override
    public void close() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
