package dev.gatehouse.routing.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.jwk.JWKSet;
import dev.gatehouse.ir.JwtSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A provider's {@code remoteJWKS}, fetched off the event loop with the JDK's HTTP client and kept for
 * {@code cacheDuration}. Fetches are spaced by {@code failedRefetchDuration}: a token with an unknown {@code kid}
 * (a rotated key) or a failed fetch asks again at most once per that period, so forged kids cannot turn the
 * gateway into a load generator against the identity provider. Requests that need a fetch wait on the one in
 * flight. A fetch that fails keeps the keys it had: an identity provider that is briefly down does not lock out
 * callers whose keys we hold.
 *
 * <p>Shared by URI and durations across snapshots ({@link #of}), so a config reload does not refetch.
 */
final class RemoteJwks {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteJwks.class);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
    /** A JWKS is a few keys: anything far larger is a mistake or an attack, and is refused. */
    private static final int MAX_BYTES = 1 << 20;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private static final Cache<JwtSpec.RemoteJwks, RemoteJwks> SHARED = Caffeine.newBuilder()
            .maximumSize(1_000).expireAfterAccess(Duration.ofHours(1)).build();

    private final JwtSpec.RemoteJwks spec;
    private final long cacheNanos;
    private final long refetchNanos;
    private volatile JwksKeys keys;
    private volatile long fetchedAt;
    /** No fetch before this (nanoTime) once a fetch failed or an unknown kid asked for one. */
    private long holdUntil;
    private boolean holding;
    private CompletableFuture<JwksKeys> inflight;

    private RemoteJwks(JwtSpec.RemoteJwks spec) {
        this.spec = spec;
        this.cacheNanos = spec.cacheDuration().toNanos();
        this.refetchNanos = spec.failedRefetchDuration().toNanos();
    }

    static RemoteJwks of(JwtSpec.RemoteJwks spec) {
        return SHARED.get(spec, RemoteJwks::new);
    }

    String uri() {
        return spec.uri();
    }

    /** The keys held, or {@code null} before the first fetch succeeded; starts a refresh once they are stale. */
    JwksKeys current(long now) {
        JwksKeys k = keys;
        if (k != null && now - fetchedAt >= cacheNanos) {
            fetch(now, false);
        }
        return k;
    }

    /**
     * Fetches the set, or joins the fetch in flight; not within failedRefetchDuration of a failed fetch or of an
     * earlier fetch for an unknown kid.
     *
     * @param unknownKid the fetch is for a kid the keys held lack: the next such fetch waits failedRefetchDuration
     * @return completes with the keys (exceptionally if the fetch failed), or {@code null} when too soon
     */
    synchronized CompletableFuture<JwksKeys> fetch(long now, boolean unknownKid) {
        if (inflight != null) {
            return inflight;
        }
        if (holding && now - holdUntil < 0) {
            return null;
        }
        holding = unknownKid;
        holdUntil = now + refetchNanos;
        HttpRequest request = HttpRequest.newBuilder(URI.create(spec.uri())).timeout(FETCH_TIMEOUT)
                .header("Accept", "application/json").GET().build();
        // waiters get the stage that completes after the state below is written: a request resumed by this fetch
        // sees the new keys (or the hold after a failure) when it asks again
        CompletableFuture<JwksKeys> f = CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(this::parse).whenComplete((k, e) -> {
                    synchronized (this) {
                        inflight = null;
                        if (e == null) {
                            fetchedAt = System.nanoTime();
                            keys = k;
                        } else {
                            holding = true;
                            holdUntil = System.nanoTime() + refetchNanos;
                        }
                    }
                    if (e != null) {
                        LOG.warn("remote JWKS {} could not be fetched: {}", spec.uri(),
                                e.getCause() != null ? e.getCause() : e);
                    }
                });
        // done already only if it failed on this thread (its action ran, under this lock, before we got here)
        if (!f.isDone()) {
            inflight = f;
        }
        return f;
    }

    private JwksKeys parse(HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("answered " + response.statusCode());
        }
        if (response.body().length > MAX_BYTES) {
            throw new IllegalStateException("a JWKS of " + response.body().length + " bytes is too large");
        }
        try {
            return new JwksKeys(JWKSet.parse(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("not a JWKS: " + e.getMessage(), e);
        }
    }
}
