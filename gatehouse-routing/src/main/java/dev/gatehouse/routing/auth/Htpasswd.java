package dev.gatehouse.routing.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.ir.SecurityPolicySpec;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A policy's {@code basicAuth} users, by name, with their htpasswd hashes: {@code {SHA}} and {@code {SSHA}} are
 * checked on the event loop (one SHA-1); bcrypt takes tens of milliseconds by design, so a bcrypt check that is
 * not in the cache runs on a small bounded pool ({@link #verifyOffLoop}) while the request is suspended, and a
 * success is cached (bounded, keyed by a SHA-256 of hash, user and password: a rotated Secret's new hash misses,
 * and no password is kept) so that a client's next requests are answered on the loop.
 */
final class Htpasswd {
    /** What checking a password needs. */
    enum Check { VALID, INVALID, SLOW }

    private static final Cache<ByteBuffer, Boolean> VERIFIED = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build();
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Two threads and 256 queued checks: a flood of wrong bcrypt passwords costs two cores at most, then 503s. */
    private static final ThreadPoolExecutor BCRYPT = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256), r -> {
                Thread t = new Thread(r, "gatehouse-bcrypt-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    static {
        BCRYPT.allowCoreThreadTimeOut(true);
    }

    private record User(String hash, byte[] digest, byte[] salt) { }

    private final Map<String, User> users = new HashMap<>();
    final String forwardHeader;

    Htpasswd(SecurityPolicySpec.BasicAuthSpec spec) {
        for (SecurityPolicySpec.HtpasswdUser u : spec.users()) {
            String h = u.hash();
            byte[] digest = null;
            byte[] salt = null;
            if (h.startsWith("{SHA}")) {
                digest = Base64.getDecoder().decode(h.substring(5));
            } else if (h.startsWith("{SSHA}")) {
                byte[] all = Base64.getDecoder().decode(h.substring(6));
                digest = Arrays.copyOf(all, 20);
                salt = Arrays.copyOfRange(all, 20, all.length);
            }
            users.put(u.user(), new User(h, digest, salt));
        }
        this.forwardHeader = spec.forwardUsernameHeader();
    }

    /** Checks on the calling thread what is cheap: SHA lines, unknown users, and cached bcrypt results. */
    Check check(String user, String password) {
        User u = users.get(user);
        if (u == null) {
            return Check.INVALID;
        }
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        if (u.digest() != null) {
            byte[] salted = u.salt() == null ? pw : concat(pw, u.salt());
            return MessageDigest.isEqual(Digests.sha1(salted), u.digest()) ? Check.VALID : Check.INVALID;
        }
        return VERIFIED.getIfPresent(cacheKey(u, user, password)) != null ? Check.VALID : Check.SLOW;
    }

    /**
     * Verifies a bcrypt line off the event loop.
     *
     * @return completes with whether the password is right; exceptionally when the pool is saturated
     */
    CompletionStage<Boolean> verifyOffLoop(String user, String password) {
        User u = users.get(user);
        return CompletableFuture.supplyAsync(() -> {
            boolean ok = OpenBSDBCrypt.checkPassword(u.hash(), password.toCharArray());
            if (ok) {
                VERIFIED.put(cacheKey(u, user, password), Boolean.TRUE);
            }
            return ok;
        }, BCRYPT);
    }

    private static ByteBuffer cacheKey(User u, String user, String password) {
        return ByteBuffer.wrap(Digests.sha256((u.hash() + '\0' + user + '\0' + password).getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
