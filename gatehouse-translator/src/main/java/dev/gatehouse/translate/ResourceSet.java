package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/**
 * Immutable input of the translator: every object of the config, with where it came from.
 * Built by {@link YamlResourceLoader} in standalone mode (or from informers in controller mode).
 */
public record ResourceSet(List<Entry> entries) {
    public ResourceSet {
        entries = List.copyOf(entries);
    }

    /**
     * @param object a fabric8 model object (Gateway, HTTPRoute, Service, EndpointSlice, ...)
     * @param file source file, or {@code null} when not from a file
     * @param document 1-based document index within the file, 0 when not from a file
     */
    public record Entry(HasMetadata object, String file, int document) { }
}
