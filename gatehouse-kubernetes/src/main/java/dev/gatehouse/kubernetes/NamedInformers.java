package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The objects of one kind (Secret, ConfigMap) that something references, each through an informer of its own
 * that lists and watches that one name ({@code withName(..)}: a {@code metadata.name} field selector), as the kubelet
 * follows the Secrets its pods mount. {@link #follow} starts informers for new references and stops those of
 * references gone, after each read of the referencing kinds, so only referenced objects are transferred and held; an
 * object created after its reference arrives through its informer's watch. The price is one watch per referenced
 * object, which suits the tens of certificates a gateway has.
 */
final class NamedInformers<T extends HasMetadata> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NamedInformers.class);

    private final KubernetesClient client;
    private final Class<T> type;
    /** called on a change the last {@link #objects()} did not return */
    private final Runnable changed;
    /** "namespace/name" to its informer */
    private final Map<String, SharedIndexInformer<T>> informers = new ConcurrentHashMap<>();
    /** "namespace/name" to the resourceVersion the last {@link #objects()} returned */
    private final Map<String, String> returned = new ConcurrentHashMap<>();
    /**
     * Informers started and not read yet: their events are no change, since the {@link #objects()} to come reads
     * their stores after taking them off this set (an informer's first list would otherwise cost a second reload).
     */
    private final Set<String> unread = ConcurrentHashMap.newKeySet();

    NamedInformers(KubernetesClient client, Class<T> type, Runnable changed) {
        this.client = client;
        this.type = type;
        this.changed = changed;
    }

    /**
     * Watches exactly these objects from now on, waiting up to {@code wait} for the new informers' first lists, so
     * that a read right after sees a referenced object that exists (a late list still counts as a change).
     *
     * @param keys "namespace/name"
     */
    void follow(Set<String> keys, Duration wait) {
        for (String key : List.copyOf(informers.keySet())) {
            if (!keys.contains(key)) {
                informers.remove(key).close();
                returned.remove(key);
                unread.remove(key);
            }
        }
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (String key : keys) {
            if (!informers.containsKey(key)) {
                int slash = key.indexOf('/');
                SharedIndexInformer<T> informer = client.resources(type).inNamespace(key.substring(0, slash))
                        .withName(key.substring(slash + 1)).runnableInformer(0);
                informer.addEventHandler(new Changes(key));
                unread.add(key);
                informers.put(key, informer);
                started.add(informer.start().toCompletableFuture());
            }
        }
        if (started.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn("not every referenced {} was listed within {} ({}): read when its informer catches up",
                    type.getSimpleName(), wait, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return every followed object that exists */
    List<T> objects() {
        List<T> out = new ArrayList<>();
        informers.forEach((key, informer) -> {
            unread.remove(key);
            List<T> held = informer.getStore().list();
            out.addAll(held);
            if (held.isEmpty()) {
                returned.remove(key);
            } else {
                returned.put(key, String.valueOf(held.get(0).getMetadata().getResourceVersion()));
            }
        });
        return out;
    }

    /** @return how many objects are held (never more than the references) */
    int size() {
        return informers.values().stream().mapToInt(i -> i.getStore().list().size()).sum();
    }

    @Override
    public void close() {
        informers.values().forEach(SharedIndexInformer::close);
        informers.clear();
    }

    private final class Changes implements ResourceEventHandler<T> {
        private final String key;

        Changes(String key) {
            this.key = key;
        }

        @Override
        public void onAdd(T obj) {
            if (!unread.contains(key) && !Objects.equals(returned.get(key), obj.getMetadata().getResourceVersion())) {
                changed.run();
            }
        }

        @Override
        public void onUpdate(T old, T now) {
            if (!Objects.equals(old.getMetadata().getResourceVersion(), now.getMetadata().getResourceVersion())) {
                onAdd(now);
            }
        }

        @Override
        public void onDelete(T obj, boolean finalStateUnknown) {
            if (!unread.contains(key) && returned.containsKey(key)) {
                changed.run();
            }
        }
    }
}
