package dev.gatehouse.app.admin;

import java.net.InetSocketAddress;

/**
 * Where {@code /backends} (and through it the dashboard and {@code gatehouse doctor}) reads endpoint health.
 * The data plane's health checker implements it; it is called on admin threads, so an implementation must be
 * thread-safe and must not block (read the checker's last verdict, never probe on demand).
 */
@FunctionalInterface
public interface EndpointHealthView {
    /**
     * @param cluster "namespace/service:port"
     * @param endpoint the resolved address the data plane connects to
     */
    EndpointHealth of(String cluster, InetSocketAddress endpoint);
}
