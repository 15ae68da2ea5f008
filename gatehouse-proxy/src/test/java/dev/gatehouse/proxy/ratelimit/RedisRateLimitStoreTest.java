package dev.gatehouse.proxy.ratelimit;

import dev.gatehouse.routing.ratelimit.Quota;
import dev.gatehouse.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Against a real redis-server on a free port: the sliding window, the script cache, and Redis going away. */
class RedisRateLimitStoreTest {
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        assumeTrue(RedisServer.available(), "redis-server is not installed (apt-get install redis-server): skipped");
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    private static Quota hit(RedisRateLimitStore store, String key, long limit, long window) throws Exception {
        return store.hit(key, limit, window, 1).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static RedisRateLimitStore connected() throws Exception {
        RedisRateLimitStore store = new RedisRateLimitStore(redis.uri()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                store.hit("warm-up", 1_000, 1_000, 0).toCompletableFuture().get(5, TimeUnit.SECONDS);
                return store;
            } catch (Exception notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("never connected to " + redis.uri());
    }

    @Test
    void aWindowLetsExactlyItsLimitThroughAndSaysWhenToComeBack() throws Exception {
        try (RedisRateLimitStore store = connected()) {
            for (int i = 4; i >= 0; i--) {
                Quota q = hit(store, "exact", 5, 3_600_000);
                assertThat(q.allowed()).isTrue();
                assertThat(q.remaining()).isEqualTo(i);
            }
            Quota refused = hit(store, "exact", 5, 3_600_000);
            assertThat(refused.allowed()).isFalse();
            assertThat(refused.remaining()).isZero();
            assertThat(refused.retryAfterMillis()).isBetween(1L, 3_600_000L);
            assertThat(hit(store, "other-key", 5, 3_600_000).allowed()).isTrue();
        }
    }

    @Test
    void countersAreSharedByEveryClientOfTheSameRedis() throws Exception {
        try (RedisRateLimitStore a = connected(); RedisRateLimitStore b = connected()) {
            int allowed = 0;
            for (int i = 0; i < 30; i++) {
                allowed += hit(i % 2 == 0 ? a : b, "shared", 20, 3_600_000).allowed() ? 1 : 0;
            }
            assertThat(allowed).isEqualTo(20);
        }
    }

    @Test
    void theScriptIsLoadedAgainWhenRedisForgotIt() throws Exception {
        try (RedisRateLimitStore store = connected()) {
            assertThat(hit(store, "flush", 10, 60_000).allowed()).isTrue();
            long errors = store.errors();
            try (var client = io.lettuce.core.RedisClient.create(redis.uri()); var c = client.connect()) {
                c.sync().scriptFlush();
            }
            assertThat(hit(store, "flush", 10, 60_000).remaining()).isEqualTo(8);
            assertThat(store.errors()).isEqualTo(errors);
        }
    }

    @Test
    void sentinelFindsTheMaster(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(conf, "sentinel monitor mymaster 127.0.0.1 " + redis.port() + " 1\n");
        try (RedisServer sentinel = RedisServer.start(RedisServer.freePort(), List.of(conf.toString(), "--sentinel"));
             RedisRateLimitStore store = new RedisRateLimitStore("redis-sentinel://127.0.0.1:" + sentinel.port()
                     + "#mymaster").start()) {
            assertThat(eventually(store, "via-sentinel").remaining()).isEqualTo(9);
        }
    }

    @Test
    void severalUrisAreTheSeedsOfACluster(@TempDir Path dir) throws Exception {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int port = clusterPort();
                nodes.add(RedisServer.start(port, List.of("--cluster-enabled", "yes", "--cluster-config-file",
                        dir.resolve("nodes-" + port + ".conf").toString(), "--dir", dir.toString())));
                addresses.add("127.0.0.1:" + port);
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            create.addAll(addresses);
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            String uris = String.join(",", addresses.stream().map(a -> "redis://" + a).toList());
            try (RedisRateLimitStore store = new RedisRateLimitStore(uris).start()) {
                // keys land on different nodes; each counts on its own
                for (String key : List.of("a", "b", "c", "d")) {
                    assertThat(eventually(store, key).remaining()).isEqualTo(9);
                }
            }
        } finally {
            for (RedisServer n : nodes) {
                n.close();
            }
        }
    }

    /** A free port whose cluster bus port (+10000) is free too. */
    private static int clusterPort() throws Exception {
        while (true) {
            int port = RedisServer.freePort();
            if (port < 55_000) {
                try (java.net.ServerSocket bus = new java.net.ServerSocket(port + 10_000)) {
                    return port;
                } catch (java.io.IOException taken) {
                    // try another
                }
            }
        }
    }

    /** The first answer of a counter of 10 a minute, retried while the store connects or the cluster settles. */
    private static Quota eventually(RedisRateLimitStore store, String key) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return store.hit(key, 10, 60_000, 1).toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(200);
            }
        }
    }

    @Test
    void aRedisThatIsDownFailsTheCallQuicklyAndCountsIt() throws Exception {
        try (RedisRateLimitStore store = connected()) {
            redis.stop();
            try {
                long start = System.nanoTime();
                CompletableFuture<Quota> f = store.hit("down", 10, 60_000, 1).toCompletableFuture();
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.ExecutionException.class);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
                assertThat(store.errors()).isGreaterThanOrEqualTo(1);
            } finally {
                redis.resume();
            }
            // Lettuce reconnects by itself
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean back = false;
            while (!back && System.nanoTime() < deadline) {
                try {
                    back = hit(store, "back", 10, 60_000).allowed();
                } catch (Exception notYet) {
                    Thread.sleep(200);
                }
            }
            assertThat(back).isTrue();
        }
    }
}
