package dev.gatehouse.kubernetes;

import dev.gatehouse.translate.ResourceSet;
import dev.gatehouse.translate.ResourceSource;
import dev.gatehouse.translate.YamlResourceLoader;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Controller mode's source: one fabric8 shared informer per {@link WatchedKind}, in every namespace, but for Secrets
 * and ConfigMaps, of which only the referenced ones are read, each by name ({@link NamedInformers}). The informers
 * keep the caches; an event only pokes the {@link Debouncer}, and a read copies the caches into one
 * {@link ResourceSet} (the objects are the informers' own, which are replaced, never changed, on update). A kind
 * whose CRD is not installed is skipped with one warning and looked for again every {@code crdRecheck}, so
 * installing the CRDs after gatehouse needs no restart. Of a kind with several versions (TLSRoute v1, v1alpha3,
 * v1alpha2) the newest one the API server serves is watched: every served version lists the same objects.
 */
public final class KubernetesResourceSource implements ResourceSource, CachedObjects {
    private static final Logger log = LoggerFactory.getLogger(KubernetesResourceSource.class);
    /** How long the first read waits for the informers' initial lists. */
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);
    /** How long a read waits for newly referenced Secrets and ConfigMaps (one list each, started together). */
    private static final Duration SYNC_TIMEOUT_REFERENCED = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final Map<WatchedKind, SharedIndexInformer<? extends HasMetadata>> informers = new ConcurrentHashMap<>();
    private final Map<WatchedKind, Poke> pokes = new ConcurrentHashMap<>();
    private final NamedInformers<Secret> secrets;
    private final NamedInformers<ConfigMap> configMaps;
    /** kinds not served in any version, by their newest version */
    private final Set<WatchedKind> missing = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-informer-debounce");
        t.setDaemon(true);
        return t;
    });
    private volatile Debouncer debouncer;
    /** Told of every change the translator reads, as it arrives (the status sink yields to the reload it starts) */
    private volatile Runnable changeArrived = () -> { };
    /** discovery and the informers' first lists, begun by {@link #start} */
    private CompletableFuture<Void> started;
    /** events before the first sync are the initial lists, which the first read covers */
    private volatile boolean synced;
    /** events since the last read, by kind: the log says what a reload is for */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> changes = new ConcurrentHashMap<>();
    /** when the caches last changed (an event that the translator reads), or the first sync; null before it */
    private volatile Instant lastChange;
    /** The objects the last read handed over, by kind, namespace and name (see {@link #sameAsLastRead}). */
    private volatile Map<String, HasMetadata> lastRead = Map.of();

    public KubernetesResourceSource(KubernetesClient client, KubernetesSettings settings) {
        this.client = client;
        this.settings = settings;
        this.secrets = new NamedInformers<>(client, Secret.class, () -> poke("Secret"));
        this.configMaps = new NamedInformers<>(client, ConfigMap.class, () -> poke("ConfigMap"));
    }

    @Override
    public String describe() {
        return "Kubernetes API " + client.getMasterUrl();
    }

    /**
     * Starts discovery and every informer's first list in the background and returns at once, so that the process
     * starts its data plane and admin endpoint meanwhile; {@link #watch} waits for what this began (and begins it
     * when nobody did). A second call does nothing.
     */
    public synchronized void start() {
        if (started == null) {
            started = CompletableFuture.runAsync(this::startInformers, runnable -> {
                Thread t = new Thread(runnable, "gatehouse-informer-start");
                t.setDaemon(true);
                t.start();
            });
        }
    }

    /** Waits for the informers' first lists (see {@link #start}), so that the first read sees the whole cluster. */
    @Override
    public void watch(Runnable changed) throws Exception {
        debouncer = new Debouncer(timer, settings.debounceQuiet(), settings.debounceMaxDelay(), changed);
        start();
        long deadline = System.nanoTime() + SYNC_TIMEOUT.toNanos();
        try {
            started.get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        awaitFirstListsHandled(deadline);
        synced = true;
        lastChange = Instant.now();
        long every = settings.crdRecheck().toMillis();
        timer.scheduleWithFixedDelay(this::recheckMissing, every, every, TimeUnit.MILLISECONDS);
        log.info("watching {} kinds through {}", informers.size(), client.getMasterUrl());
    }

    /**
     * Waits until each informer's handler has been told of every object of its first list (one onAdd each, delivered
     * on fabric8's own thread after the list completes): told later, they would count as changes and make a second
     * full reload right after the first (at 5,000 routes: {HTTPRoute=1308}, 5 s of a busy machine).
     */
    private void awaitFirstListsHandled(long deadline) throws InterruptedException {
        for (Map.Entry<WatchedKind, SharedIndexInformer<? extends HasMetadata>> e : informers.entrySet()) {
            Poke poke = pokes.get(e.getKey());
            while (poke.adds.get() < e.getValue().getStore().listKeys().size() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
    }

    /**
     * One discovery request per API version, all at once, then every informer started: their lists run in
     * parallel. (A request per kind, one after another, each answered after the lists begun before it, took 4 to
     * 5 s of the first config at 5,000 routes.)
     */
    private void startInformers() {
        log.info("connecting to {}", client.getMasterUrl());
        Discovery discovery = Discovery.of(client, WatchedKind.ALL.stream()
                .filter(WatchedKind::fromCrd).map(WatchedKind::apiVersion).distinct().toList());
        List<CompletableFuture<Void>> lists = new ArrayList<>();
        for (WatchedKind kind : WatchedKind.ALL) {
            if (!kind.versions().get(0).equals(kind) || kind.byReference()) {
                continue; // an older version: looked at with the newest; referenced objects: followed on each read
            }
            WatchedKind version = kind.fromCrd() ? newestServed(kind, discovery) : kind;
            if (version == null) {
                missing.add(kind);
                log.warn("{} is not served by the API server (its CRD is not installed): skipped; checking again "
                        + "every {}", describe(kind), settings.crdRecheck().toString().substring(2).toLowerCase(Locale.ROOT));
                continue;
            }
            if (version != kind) {
                log.info("{} is served as {}, not {}: watching that version", kind.kind(), version.apiVersion(),
                        kind.apiVersion());
            }
            lists.add(start(version));
        }
        CompletableFuture.allOf(lists.toArray(CompletableFuture[]::new)).join();
    }

    /** @return the newest version of the kind that the API server serves, or {@code null} */
    private static WatchedKind newestServed(WatchedKind kind, Discovery discovery) {
        for (WatchedKind v : kind.versions()) {
            if (discovery.serves(v.apiVersion(), v.plural())) {
                return v;
            }
        }
        return null;
    }

    /** "TLSRoute (gateway.networking.k8s.io/v1, v1alpha3 or v1alpha2)" */
    private static String describe(WatchedKind kind) {
        List<String> v = kind.versions().stream().map(WatchedKind::version).toList();
        String versions = v.size() == 1 ? v.get(0)
                : String.join(", ", v.subList(0, v.size() - 1)) + " or " + v.get(v.size() - 1);
        return kind.kind() + " (" + (kind.group().isEmpty() ? "" : kind.group() + "/") + versions + ")";
    }

    private void recheckMissing() {
        if (missing.isEmpty()) {
            return;
        }
        Discovery discovery;
        try {
            discovery = Discovery.of(client, missing.stream().flatMap(k -> k.versions().stream())
                    .map(WatchedKind::apiVersion).distinct().toList());
        } catch (RuntimeException e) {
            log.warn("cannot check whether {} are served: {}", missing, e.toString());
            return;
        }
        for (WatchedKind kind : List.copyOf(missing)) {
            try {
                WatchedKind version = newestServed(kind, discovery);
                if (version != null) {
                    missing.remove(kind);
                    log.info("{} is served now (its CRD was installed): watching it", version);
                    start(version);
                }
            } catch (RuntimeException e) {
                log.warn("cannot check whether {} is served: {}", kind, e.toString());
            }
        }
    }

    private CompletableFuture<Void> start(WatchedKind kind) {
        SharedIndexInformer<? extends HasMetadata> informer = informer(kind);
        informers.put(kind, informer);
        return informer.start().toCompletableFuture();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private SharedIndexInformer<? extends HasMetadata> informer(WatchedKind kind) {
        SharedIndexInformer informer;
        if (kind.generic()) {
            ResourceDefinitionContext context = new ResourceDefinitionContext.Builder().withGroup(kind.group())
                    .withVersion(kind.version()).withKind(kind.kind()).withPlural(kind.plural())
                    .withNamespaced(kind.namespaced()).build();
            informer = client.genericKubernetesResources(context).inAnyNamespace().runnableInformer(0);
        } else if (kind.namespaced()) {
            informer = client.resources(kind.type()).inAnyNamespace().runnableInformer(0);
        } else {
            informer = client.resources(kind.type()).runnableInformer(0);
        }
        Poke poke = new Poke(kind);
        pokes.put(kind, poke);
        informer.addEventHandler(poke);
        return informer;
    }

    /** Every event is a reason to read again, except an update that changes nothing the translator reads. */
    private final class Poke implements ResourceEventHandler<HasMetadata> {
        private final WatchedKind kind;
        /** onAdd calls so far: the first list's objects each get one, delivered after the list completes */
        private final java.util.concurrent.atomic.AtomicLong adds = new java.util.concurrent.atomic.AtomicLong();

        Poke(WatchedKind kind) {
            this.kind = kind;
        }

        @Override
        public void onAdd(HasMetadata obj) {
            adds.incrementAndGet();
            poke(kind.kind());
        }

        @Override
        public void onUpdate(HasMetadata old, HasMetadata now) {
            if (!onlyStatusChanged(kind, old.getMetadata(), now.getMetadata())) {
                poke(kind.kind());
            }
        }

        @Override
        public void onDelete(HasMetadata obj, boolean finalStateUnknown) {
            poke(kind.kind());
        }

    }

    /** Whether {@code now} differs from {@code old} in nothing the translator reads (a resync, our status write). */
    private static boolean onlyStatusChanged(WatchedKind kind, ObjectMeta old, ObjectMeta now) {
        if (Objects.equals(old.getResourceVersion(), now.getResourceVersion())) {
            return true; // a resync
        }
        return kind.statusWritten() && now.getGeneration() != null
                && Objects.equals(old.getGeneration(), now.getGeneration())
                && Objects.equals(old.getLabels(), now.getLabels())
                && Objects.equals(old.getAnnotations(), now.getAnnotations());
    }

    /**
     * The object the last read handed over for {@code now}'s kind, namespace and name when only its status changed
     * since, else {@code now}. The translator keeps what it computed per object instance (and, for a change of
     * EndpointSlices only, the whole last translation) while the instances stay the same; our own status write
     * replaces every route it touches in the informer's cache, and would otherwise make the next reload's objects
     * look changed. The translator reads no status. Other kinds' objects are the informer's, the same instances
     * while unchanged.
     */
    private HasMetadata sameAsLastRead(WatchedKind kind, HasMetadata now, Map<String, HasMetadata> next) {
        if (!kind.statusWritten() && !kind.generic()) {
            return now; // the informer's own instance, kept while unchanged (a generic one is copied by withKind)
        }
        String key = kind.kind() + ' ' + now.getMetadata().getNamespace() + '/' + now.getMetadata().getName();
        HasMetadata last = lastRead.get(key);
        HasMetadata out = last != null && last.getClass() == now.getClass()
                && onlyStatusChanged(kind, last.getMetadata(), now.getMetadata()) ? last : now;
        next.put(key, out);
        return out;
    }

    private void poke(String kind) {
        Debouncer d = debouncer;
        if (synced && d != null) {
            lastChange = Instant.now();
            changes.computeIfAbsent(kind, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
            changeArrived.run();
            d.poke();
        }
    }

    /** {@code listener} runs on the informer's thread for each change the translator reads, before the debounce. */
    void whenChangeArrives(Runnable listener) {
        changeArrived = listener;
    }

    /** Every kind this source knows: watched ones with the number of objects cached, missing ones with -1. */
    public List<ControllerView.Kind> kinds() {
        List<ControllerView.Kind> out = new ArrayList<>();
        for (WatchedKind kind : WatchedKind.ALL) {
            if (kind.byReference()) {
                // the referenced objects held: a Secret nothing references is neither fetched nor counted
                out.add(new ControllerView.Kind(kind.kind(), kind.apiVersion(),
                        (kind.type() == Secret.class ? secrets : configMaps).size(), synced));
                continue;
            }
            SharedIndexInformer<? extends HasMetadata> informer = informers.get(kind);
            out.add(new ControllerView.Kind(kind.kind(), kind.apiVersion(),
                    informer != null ? informer.getStore().list().size() : -1, informer != null));
        }
        return out;
    }

    /** @return when the caches last changed in a way the translator reads (or first synced); null before that */
    public Instant lastChange() {
        return lastChange;
    }

    /** Deleting the last Gateway is deliberate in the API: its ports close. */
    @Override
    public boolean emptyIsAccident() {
        return false;
    }

    /**
     * Copies every cache, then follows the Secrets and ConfigMaps the cached Gateways, ListenerSets and
     * BackendTLSPolicies reference now and adds those; the diagnostics are empty: the API server validated each
     * object on admission.
     */
    @Override
    public YamlResourceLoader.Result read() {
        if (!changes.isEmpty()) {
            java.util.TreeMap<String, Integer> counts = new java.util.TreeMap<>();
            changes.forEach((kind, n) -> counts.put(kind, n.getAndSet(0)));
            changes.values().removeIf(n -> n.get() == 0);
            counts.values().removeIf(n -> n == 0);
            log.info("reading the caches after {} change(s): {}", counts.values().stream().mapToInt(i -> i).sum(),
                    counts);
        }
        List<ResourceSet.Entry> entries = new ArrayList<>();
        Map<String, HasMetadata> read = new java.util.HashMap<>();
        informers.forEach((kind, informer) -> {
            for (HasMetadata o : informer.getStore().list()) {
                entries.add(new ResourceSet.Entry(sameAsLastRead(kind, withKind(kind, o), read), null, 0));
            }
        });
        lastRead = read;
        List<HasMetadata> policies = new ArrayList<>(all(BackendTLSPolicy.class));
        policies.addAll(all(GenericKubernetesResource.class)); // our own kinds: a SecurityPolicy names Secrets
        ObjectReferences references = ObjectReferences.of(all(Gateway.class), all(ListenerSet.class), policies);
        secrets.follow(references.secrets(), SYNC_TIMEOUT_REFERENCED);
        configMaps.follow(references.configMaps(), SYNC_TIMEOUT_REFERENCED);
        secrets.objects().forEach(o -> entries.add(new ResourceSet.Entry(o, null, 0)));
        configMaps.objects().forEach(o -> entries.add(new ResourceSet.Entry(o, null, 0)));
        return new YamlResourceLoader.Result(new ResourceSet(entries), List.of());
    }

    /** List items may come without apiVersion and kind; the translator tells our generic kinds apart by them. */
    private static HasMetadata withKind(WatchedKind kind, HasMetadata o) {
        if (o instanceof GenericKubernetesResource g && (g.getKind() == null || g.getApiVersion() == null)) {
            GenericKubernetesResource copy = new GenericKubernetesResource();
            copy.setApiVersion(kind.apiVersion());
            copy.setKind(kind.kind());
            copy.setMetadata(g.getMetadata());
            copy.setAdditionalProperties(g.getAdditionalProperties());
            return copy;
        }
        return o;
    }

    @Override
    public <T extends HasMetadata> T cached(Class<T> type, String namespace, String name) {
        for (Map.Entry<WatchedKind, SharedIndexInformer<? extends HasMetadata>> e : informers.entrySet()) {
            if (e.getKey().type() == type) {
                HasMetadata o = e.getValue().getStore().getByKey(namespace == null ? name : namespace + "/" + name);
                return type.cast(o);
            }
        }
        return null;
    }

    @Override
    public GenericKubernetesResource cachedGeneric(String kind, String namespace, String name) {
        for (Map.Entry<WatchedKind, SharedIndexInformer<? extends HasMetadata>> e : informers.entrySet()) {
            if (e.getKey().generic() && e.getKey().kind().equals(kind)) {
                return (GenericKubernetesResource) e.getValue().getStore().getByKey(namespace + "/" + name);
            }
        }
        return null;
    }

    @Override
    public <T extends HasMetadata> List<T> all(Class<T> type) {
        List<T> out = new ArrayList<>();
        informers.forEach((kind, informer) -> {
            if (kind.type() == type) {
                informer.getStore().list().forEach(o -> out.add(type.cast(o)));
            }
        });
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        informers.values().forEach(SharedIndexInformer::close);
        secrets.close();
        configMaps.close();
    }
}
