package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * Which resources the API server serves under each of some API versions: one discovery request per version (every
 * kind of a group version is in its one answer), all sent at once, each on a thread of its own as fabric8's call
 * blocks.
 */
final class Discovery {
    /** the plural resource names served, by API version; empty for a version the API server does not serve */
    private final Map<String, Set<String>> served;

    private Discovery(Map<String, Set<String>> served) {
        this.served = served;
    }

    /** @throws KubernetesClientException when the API server cannot be asked (anything but a 404) */
    static Discovery of(KubernetesClient client, List<String> apiVersions) {
        Map<String, CompletableFuture<Set<String>>> asked = new HashMap<>();
        for (String apiVersion : apiVersions) {
            CompletableFuture<Set<String>> answer = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    answer.complete(resources(client, apiVersion));
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            }, "gatehouse-discovery");
            t.setDaemon(true);
            t.start();
            asked.put(apiVersion, answer);
        }
        Map<String, Set<String>> served = new HashMap<>();
        try {
            asked.forEach((apiVersion, answer) -> served.put(apiVersion, answer.join()));
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        return new Discovery(served);
    }

    private static Set<String> resources(KubernetesClient client, String apiVersion) {
        try {
            APIResourceList list = client.getApiResources(apiVersion);
            return list == null || list.getResources() == null ? Set.of()
                    : list.getResources().stream().map(APIResource::getName).collect(Collectors.toUnmodifiableSet());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Set.of();
            }
            throw e;
        }
    }

    boolean serves(String apiVersion, String plural) {
        return served.getOrDefault(apiVersion, Set.of()).contains(plural);
    }
}
