package dev.gatehouse.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@link UpstreamPool} per event loop of a group, built once at start; read-only afterwards, so any
 * loop may look up its own pool without synchronisation.
 */
public final class UpstreamPools {
    /**
     * Pooled connections idle longer than this are closed: below the 5 s keep-alive of Node and of many
     * frameworks, so the gateway closes an idle connection before the backend does and seldom reuses one the
     * backend is closing (a request that then cannot be replayed would get a 502).
     */
    public static final Duration POOL_IDLE_TIMEOUT = Duration.ofSeconds(4);

    private final Map<EventExecutor, UpstreamPool> byLoop;

    public UpstreamPools(EventLoopGroup group, Class<? extends Channel> channelClass, Duration connectTimeout) {
        this(group, channelClass, connectTimeout, POOL_IDLE_TIMEOUT);
    }

    public UpstreamPools(EventLoopGroup group, Class<? extends Channel> channelClass, Duration connectTimeout,
                         Duration idleTimeout) {
        Map<EventExecutor, UpstreamPool> map = new IdentityHashMap<>();
        for (EventExecutor executor : group) {
            map.put(executor, new UpstreamPool((EventLoop) executor, channelClass, connectTimeout, idleTimeout));
        }
        this.byLoop = map;
    }

    /**
     * After a reload: each loop closes its idle connections to endpoints no cluster has any more (on that loop, in
     * its own time; requests still running on them finish first).
     */
    public void endpointsRemoved(Set<InetSocketAddress> gone) {
        for (UpstreamPool pool : byLoop.values()) {
            pool.loop().execute(() -> pool.endpointsRemoved(gone));
        }
    }

    /** @return the pool owned by {@code loop}; call on that loop only */
    public UpstreamPool forLoop(EventLoop loop) {
        UpstreamPool pool = byLoop.get(loop);
        if (pool == null) {
            throw new IllegalStateException("no upstream pool for " + loop);
        }
        return pool;
    }
}
