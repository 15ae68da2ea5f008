package dev.gatehouse.kubernetes;

import dev.gatehouse.translate.ResourceStatus;
import dev.gatehouse.translate.StatusSink;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Writes the translator's statuses to GatewayClass, Gateway, ListenerSet and HTTPRoute through the status subresource, from a
 * thread of its own (the control thread only hands the list over). Only the leader writes; a replica that becomes
 * leader writes the latest statuses at once. Each object is compared with the informer's copy first, so an
 * unchanged status costs no request; a write carries the resourceVersion it was computed from, and a conflict (the
 * object changed meanwhile) is retried on a fresh read. Publications that arrive while a write runs collapse into
 * one more run with the newest list.
 *
 * <p>Writing yields to reloads: from a change's arrival until the reload it starts publishes (or
 * {@link #YIELD_AT_MOST}), the writer waits between two writes. Serving a change comes before reporting on the last
 * one: a new leader's first write-back of every route costs this process about a millisecond of CPU per route and
 * the API server more, and on a small node both took the cores from the reload (ScaleBench: a route change during the
 * write-back was live in about 1 s for 0.3 s of the control thread's CPU, docs/scale.md).
 */
public final class KubernetesStatusSink implements StatusSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KubernetesStatusSink.class);
    private static final int ATTEMPTS = 5;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final CachedObjects cache;
    private final KubernetesSettings settings;
    private final Clock clock;
    private final NodeAddresses nodeAddresses;
    private final AtomicReference<List<ResourceStatus>> latest = new AtomicReference<>();
    private final AtomicBoolean queued = new AtomicBoolean();
    private final AtomicLong writes = new AtomicLong();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-status-writer");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean leading;
    /** System.nanoTime() until which writes wait for a reload to publish; 0 when none is coming */
    private volatile long yieldUntil;
    /** A reload that never publishes (its config rejected) holds the writer no longer than this. */
    static final Duration YIELD_AT_MOST = Duration.ofSeconds(2);
    private static final long YIELD_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    KubernetesStatusSink(KubernetesClient client, CachedObjects cache, KubernetesSettings settings,
                                Clock clock) {
        this.client = client;
        this.cache = cache;
        this.settings = settings;
        this.clock = clock;
        this.nodeAddresses = new NodeAddresses(client, this::schedule);
    }

    /**
     * After each reload (the same conditions may now belong to a newer generation) and when the served statuses
     * change without one (a port bound on a retry).
     */
    @Override
    public void publish(List<ResourceStatus> statuses) {
        latest.set(statuses);
        yieldUntil = 0;
        schedule();
    }

    /** A change the translator reads has arrived: the writer waits for the reload it starts (see the class). */
    void reloadComing() {
        long until = System.nanoTime() + YIELD_AT_MOST.toNanos();
        yieldUntil = until == 0 ? 1 : until;
    }

    /** On the writer thread, between two writes. */
    private void yieldToReload() {
        long until;
        while (leading && (until = yieldUntil) != 0) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left, YIELD_STEP_NANOS));
        }
    }

    /** Told by the leader election: only the leader writes. */
    public void leading(boolean now) {
        leading = now;
        if (now) {
            schedule();
        }
    }

    public boolean isLeading() {
        return leading;
    }

    /** Status writes that reached the API server (for tests and the log). */
    public long writes() {
        return writes.get();
    }

    private void schedule() {
        if (leading && latest.get() != null && queued.compareAndSet(false, true)) {
            try {
                writer.execute(this::writeLatest);
            } catch (RejectedExecutionException closed) {
                // an informer event or a retry after close: nothing more to write
            }
        }
    }

    /**
     * A GatewayClass we accepted also says whether the cluster's Gateway API CRDs are a release we support
     * (read once per write round, from the Gateway CRD's bundle-version annotation).
     */
    private ResourceStatus withSupportedVersion(ResourceStatus s) {
        boolean accepted = s.conditions().stream()
                .anyMatch(c -> c.type().equals("Accepted") && c.status().equals("True"));
        if (!accepted) {
            return s;
        }
        dev.gatehouse.translate.Condition version = GatewayApiVersion.check(client);
        if (version == null) {
            return s;
        }
        List<dev.gatehouse.translate.Condition> conditions = new java.util.ArrayList<>(s.conditions());
        conditions.add(version);
        return new ResourceStatus(s.kind(), s.namespace(), s.name(), conditions, s.listeners(), s.parents());
    }

    private void writeLatest() {
        queued.set(false);
        List<ResourceStatus> statuses = latest.get();
        long started = System.nanoTime();
        long[] startedCpu = threadCosts();
        long writesBefore = writes.get();
        boolean failed = false;
        List<String> addresses = statuses.stream().anyMatch(s -> s.kind().equals("Gateway"))
                ? addresses() : null;
        StatusMerge merge = new StatusMerge(settings.controllerName(), clock.instant());
        for (ResourceStatus s : statuses) {
            yieldToReload();
            if (!leading) {
                return;
            }
            try {
                switch (s.kind()) {
                    case "GatewayClass" -> update(GatewayClass.class, null, s.name(), live -> {
                        var status = merge.gatewayClass(live, withSupportedVersion(s));
                        return status == null ? null : new GatewayClassBuilder(live).withStatus(status).build();
                    });
                    case "Gateway" -> update(Gateway.class, s.namespace(), s.name(), live -> {
                        var status = merge.gateway(live, s, addresses);
                        return status == null ? null : new GatewayBuilder(live).withStatus(status).build();
                    });
                    case "ListenerSet" -> update(ListenerSet.class, s.namespace(), s.name(), live -> {
                        var status = merge.listenerSet(live, s);
                        return status == null ? null : new ListenerSetBuilder(live).withStatus(status).build();
                    });
                    case "HTTPRoute" -> update(HTTPRoute.class, s.namespace(), s.name(), live -> {
                        var status = merge.httpRoute(live, s);
                        return status == null ? null : new HTTPRouteBuilder(live).withStatus(status).build();
                    });
                    case "GRPCRoute" -> update(GRPCRoute.class, s.namespace(), s.name(), live -> {
                        var status = merge.grpcRoute(live, s);
                        return status == null ? null : new GRPCRouteBuilder(live).withStatus(status).build();
                    });
                    case "TCPRoute", "TLSRoute", "UDPRoute" -> updateL4Route(s, merge);
                    case "BackendTLSPolicy" -> update(BackendTLSPolicy.class, s.namespace(), s.name(), live -> {
                        var status = merge.policy(live, live.getStatus(), s);
                        return status == null ? null : new BackendTLSPolicyBuilder(live).withStatus(status).build();
                    });
                    case "BackendTrafficPolicy" -> updateGenericPolicy(s, merge);
                    case "ClientTrafficPolicy", "SecurityPolicy" -> updateGenericPolicy(s, merge);
                    default -> { }
                }
            } catch (RuntimeException e) {
                failed = true;
                log.warn("cannot write the status of {}: {}", s.resource(), e.getMessage());
            }
        }
        failed |= !forgetDetachedRoutes(statuses, merge);
        failed |= !forgetUnusedPolicies(statuses, merge);
        long written = writes.get() - writesBefore;
        if (written > 0) {
            // what a leader's write-back costs this process (a new leader's first one writes every route), apart
            // from the API server's side: the figure docs/scale.md reads
            long[] cpu = threadCosts();
            log.info("wrote {} of {} statuses in {} ms ({} ms of the writer thread's CPU, {} MB allocated)",
                    written, statuses.size(), (System.nanoTime() - started) / 1_000_000,
                    (cpu[0] - startedCpu[0]) / 1_000_000, (cpu[1] - startedCpu[1]) / 1_000_000);
        }
        if (failed) {
            // the API server may be back soon: try the newest list again rather than wait for a change
            writer.schedule(this::schedule, RETRY_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A route that no longer names any Gateway of ours gets no status from the translator; the entries we wrote
     * in its status.parents are removed (other controllers' stay).
     *
     * @return false when a write failed
     */
    private boolean forgetDetachedRoutes(List<ResourceStatus> statuses, StatusMerge merge) {
        Set<String> current = new HashSet<>();
        statuses.forEach(s -> current.add(s.kind() + " " + s.namespace() + "/" + s.name()));
        boolean ok = true;
        for (HTTPRoute route : cache.all(HTTPRoute.class)) {
            ok &= forgetDetached("HTTPRoute", route, route.getStatus() == null ? null : route.getStatus().getParents(),
                    current, none -> update(HTTPRoute.class, none.namespace(), none.name(), live -> {
                        var status = merge.httpRoute(live, none);
                        return status == null ? null : new HTTPRouteBuilder(live).withStatus(status).build();
                    }));
        }
        for (GRPCRoute route : cache.all(GRPCRoute.class)) {
            ok &= forgetDetached("GRPCRoute", route, route.getStatus() == null ? null : route.getStatus().getParents(),
                    current, none -> update(GRPCRoute.class, none.namespace(), none.name(), live -> {
                        var status = merge.grpcRoute(live, none);
                        return status == null ? null : new GRPCRouteBuilder(live).withStatus(status).build();
                    }));
        }
        return ok;
    }

    /** @return false when the write failed */
    private boolean forgetDetached(String kind, HasMetadata route, List<RouteParentStatus> parents, Set<String> current,
                                   java.util.function.Consumer<ResourceStatus> write) {
        String ns = StatusMerge.namespace(route);
        String name = route.getMetadata().getName();
        if (!leading || current.contains(kind + " " + ns + "/" + name) || parents == null
                || parents.stream().noneMatch(p -> settings.controllerName().equals(p.getControllerName()))) {
            return true;
        }
        ResourceStatus none = new ResourceStatus(kind, ns, name, List.of(), List.of(), List.of());
        try {
            write.accept(none);
            return true;
        } catch (RuntimeException e) {
            log.warn("cannot write the status of {}: {}", none.resource(), e.getMessage());
            return false;
        }
    }

    /** Writes through whichever version of the kind the source watches (the one holding the object). */
    private void updateL4Route(ResourceStatus s, StatusMerge merge) {
        for (L4RouteKinds.Kind k : L4RouteKinds.ALL) {
            if (k.kind().equals(s.kind()) && cache.cached(k.type(), s.namespace(), s.name()) != null) {
                updateL4Route(k, k.type(), s, merge);
                return;
            }
        }
    }

    private <T extends HasMetadata> void updateL4Route(L4RouteKinds.Kind k, Class<T> type, ResourceStatus s,
                                                       StatusMerge merge) {
        update(type, s.namespace(), s.name(), live -> {
            List<RouteParentStatus> before = k.parents().apply(live);
            List<RouteParentStatus> after = merge.routeParents(live, before, k.parentRefs().apply(live), s);
            return after.equals(before == null ? List.of() : before) ? null : type.cast(k.withParents().apply(live, after));
        });
    }

    /**
     * A BackendTLSPolicy no attached route reaches any more gets no status from the translator; the ancestors we
     * wrote are removed (other controllers' stay).
     *
     * @return false when a write failed
     */
    private boolean forgetUnusedPolicies(List<ResourceStatus> statuses, StatusMerge merge) {
        Set<String> current = new HashSet<>();
        statuses.stream().filter(s -> s.kind().equals("BackendTLSPolicy"))
                .forEach(s -> current.add(s.namespace() + "/" + s.name()));
        boolean ok = true;
        for (BackendTLSPolicy policy : cache.all(BackendTLSPolicy.class)) {
            String ns = StatusMerge.namespace(policy);
            String name = policy.getMetadata().getName();
            if (!leading || current.contains(ns + "/" + name) || policy.getStatus() == null
                    || policy.getStatus().getAncestors() == null || policy.getStatus().getAncestors().stream()
                    .noneMatch(a -> settings.controllerName().equals(a.getControllerName()))) {
                continue;
            }
            ResourceStatus none = new ResourceStatus("BackendTLSPolicy", ns, name, List.of(), List.of(), List.of());
            try {
                update(BackendTLSPolicy.class, ns, name, live -> {
                    var status = merge.policy(live, live.getStatus(), none);
                    return status == null ? null : new BackendTLSPolicyBuilder(live).withStatus(status).build();
                });
            } catch (RuntimeException e) {
                ok = false;
                log.warn("cannot write the status of {}: {}", none.resource(), e.getMessage());
            }
        }
        return ok;
    }

    /** The writer thread's CPU time and bytes allocated so far (-1 where the JVM does not measure them). */
    private static long[] threadCosts() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
        long bytes = threads instanceof com.sun.management.ThreadMXBean t ? t.getCurrentThreadAllocatedBytes() : -1;
        return new long[] {cpu, bytes};
    }

    private List<String> addresses() {
        KubernetesSettings.GatewayAddresses a = settings.gatewayAddresses();
        return switch (a.mode()) {
            case "fixed" -> a.fixed();
            case "nodes-external" -> nodeAddresses.of("ExternalIP");
            default -> nodeAddresses.of("InternalIP");
        };
    }

    /**
     * One of our gatehouse.dev policies (read generically): its {@code status} is a Gateway API PolicyStatus, merged
     * as a BackendTLSPolicy's is.
     */
    private void updateGenericPolicy(ResourceStatus s, StatusMerge merge) {
        WatchedKind kind = WatchedKind.ALL.stream().filter(k -> k.generic() && k.kind().equals(s.kind())).findFirst()
                .orElseThrow();
        var resources = client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
                .withGroup(kind.group()).withVersion(kind.version()).withKind(kind.kind()).withPlural(kind.plural())
                .withNamespaced(true).build()).inNamespace(s.namespace());
        var serialization = client.getKubernetesSerialization();
        update(() -> cache.cachedGeneric(s.kind(), s.namespace(), s.name()), () -> resources.withName(s.name()).get(),
                updated -> putStatus(kind.group(), kind.version(), kind.plural(), updated), live -> {
                    Object old = live.getAdditionalProperties().get("status");
                    PolicyStatus status = merge.policy(live, old == null ? null
                            : serialization.convertValue(old, PolicyStatus.class), s);
                    if (status == null) {
                        return null;
                    }
                    GenericKubernetesResource copy = serialization.clone(live);
                    copy.setAdditionalProperty("status", serialization.convertValue(status, Map.class));
                    return copy;
                });
    }

    /**
     * @param desired the object with the status it should have, or {@code null} when it has it already
     */
    private <T extends HasMetadata> void update(Class<T> type, String namespace, String name, Function<T, T> desired) {
        update(() -> cache.cached(type, namespace, name), () -> namespace == null
                ? client.resources(type).withName(name).get()
                : client.resources(type).inNamespace(namespace).withName(name).get(),
                updated -> putStatus(HasMetadata.getGroup(type), HasMetadata.getVersion(type),
                        HasMetadata.getPlural(type), updated), desired);
    }

    /**
     * Replaces {@code updated}'s status through its status subresource, as fabric8's {@code updateStatus} does, but
     * without reading the response into an object: that is the whole route again, which we would discard, and
     * deserializing it was most of what a new leader's first write-back of 5,000 routes cost this process
     * (docs/scale.md, session 12). The object carries the resourceVersion it was computed from, so a change since
     * is refused (409) as before.
     *
     * @throws KubernetesClientException with the response's code when it is not a success
     */
    private void putStatus(String group, String version, String plural, HasMetadata updated) {
        String ns = updated.getMetadata().getNamespace();
        String master = client.getMasterUrl().toString();
        String url = master + (master.endsWith("/") ? "" : "/")
                + (group == null || group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version)
                + (ns == null || ns.isEmpty() ? "" : "/namespaces/" + ns) + "/" + plural + "/"
                + updated.getMetadata().getName() + "/status";
        var http = client.getHttpClient();
        var request = http.newHttpRequestBuilder().uri(url)
                .put("application/json", client.getKubernetesSerialization().asJson(updated)).build();
        io.fabric8.kubernetes.client.http.HttpResponse<String> response;
        try {
            response = http.sendAsync(request, String.class)
                    .get(Math.max(1, client.getConfiguration().getRequestTimeout()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while writing the status to " + url, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new KubernetesClientException("cannot write the status to " + url + ": " + e, e);
        }
        if (!response.isSuccessful()) {
            throw new KubernetesClientException("PUT " + url + " answered " + response.code() + ": "
                    + response.body(), response.code(), null);
        }
    }

    /**
     * @param cached the informer's copy, or null
     * @param fresh a read from the API server, or null when the object is gone
     * @param write the status write
     */
    private <T extends HasMetadata> void update(Supplier<T> cached, Supplier<T> fresh, Consumer<T> write,
                                                Function<T, T> desired) {
        T live = cached.get();
        for (int attempt = 1; ; attempt++) {
            if (live == null) {
                live = fresh.get();
                if (live == null) {
                    return; // deleted meanwhile
                }
            }
            T updated = desired.apply(live);
            if (updated == null) {
                return;
            }
            try {
                // carries the resourceVersion read: the API server refuses it (409) if the object changed since
                write.accept(updated);
                writes.incrementAndGet();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                if (e.getCode() != 409 || attempt == ATTEMPTS) {
                    throw e;
                }
                live = null; // changed since our copy: read it again and recompute
            }
        }
    }

    @Override
    public void close() {
        leading = false;
        writer.shutdownNow();
        nodeAddresses.close();
    }
}
