package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/** The informers' copies, so the status writer compares without asking the API server. */
interface CachedObjects {
    /** @return the cached object, or {@code null} (not watched, or not there) */
    <T extends HasMetadata> T cached(Class<T> type, String namespace, String name);

    /** @return every cached object of the type (empty when it is not watched) */
    <T extends HasMetadata> List<T> all(Class<T> type);

    /** One of our own gatehouse.dev kinds, read generically: the cached object, or {@code null}. */
    default io.fabric8.kubernetes.api.model.GenericKubernetesResource cachedGeneric(String kind, String namespace,
                                                                                   String name) {
        return null;
    }
}
