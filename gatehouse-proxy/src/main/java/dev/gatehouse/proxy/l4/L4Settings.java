package dev.gatehouse.proxy.l4;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.resilience.CircuitBreakers;
import io.netty.channel.Channel;

import java.time.Duration;

/**
 * @param channelClass the transport's client channel class (epoll or NIO, as the server's)
 * @param connectTimeout how long a backend connect may take before the client is closed
 * @param idleTimeout a relayed connection with no byte either way for this long is closed
 * @param observer told of each connection's route, bytes and end ({@link ExchangeObserver#NOOP}: nothing kept)
 * @param breakers the server's per-cluster circuit breakers (a cluster's maxConnections counts relayed connections)
 */
public record L4Settings(Class<? extends Channel> channelClass, Duration connectTimeout, Duration idleTimeout,
                         ExchangeObserver observer, CircuitBreakers breakers) {
    public L4Settings(Class<? extends Channel> channelClass, Duration connectTimeout, Duration idleTimeout,
                      ExchangeObserver observer) {
        this(channelClass, connectTimeout, idleTimeout, observer, new CircuitBreakers());
    }

    /** Long-lived L4 sessions (databases, brokers) are often quiet for minutes; an hour is Envoy's default. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
}
