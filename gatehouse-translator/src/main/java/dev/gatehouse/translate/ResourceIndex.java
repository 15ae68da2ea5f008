package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantSpec;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The input resources indexed for lookup, with v1beta1 objects normalised to the v1 model (their specs
 * are the same classes) so the rest of the translator handles one type per kind. Lists are sorted by
 * creation time then namespace/name, the order the spec uses to break ties.
 */
final class ResourceIndex {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    record Grant(String namespace, ReferenceGrantSpec spec) { }

    final List<GatewayClass> gatewayClasses = new ArrayList<>();
    final List<Gateway> gateways = new ArrayList<>();
    final List<HTTPRoute> httpRoutes = new ArrayList<>();
    final List<GRPCRoute> grpcRoutes = new ArrayList<>();
    /** oldest first, then by namespace/name: the spec's precedence among a Gateway's ListenerSets */
    final List<ListenerSet> listenerSets = new ArrayList<>();
    /** TCPRoutes, UDPRoutes and TLSRoutes of every version, oldest first (an older route wins a TCP listener) */
    final List<L4Route> l4Routes = new ArrayList<>();
    final List<Grant> grants = new ArrayList<>();
    final Map<String, Service> services = new HashMap<>();
    final Map<String, Secret> secrets = new HashMap<>();
    final Map<String, io.fabric8.kubernetes.api.model.ConfigMap> configMaps = new HashMap<>();
    /** BackendTLSPolicies of every version as v1, oldest first (the oldest wins a target) */
    final List<io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy> backendTlsPolicies = new ArrayList<>();
    final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    final Map<String, List<EndpointSlice>> slicesByService = new TreeMap<>();
    final Map<String, RequestTermination> requestTerminations = new HashMap<>();
    /** oldest first: the oldest policy wins a port */
    final List<GenericKubernetesResource> clientTrafficPolicies = new ArrayList<>();
    /** oldest first: the oldest policy wins a target */
    final List<GenericKubernetesResource> backendTrafficPolicies = new ArrayList<>();
    final List<GenericKubernetesResource> securityPolicies = new ArrayList<>();
    final List<HasMetadata> ignored = new ArrayList<>();
    private final Map<Object, ResourceSet.Entry> origins = new IdentityHashMap<>();

    ResourceIndex(ResourceSet resources) {
        for (ResourceSet.Entry e : resources.entries()) {
            add(e);
        }
        gatewayClasses.sort(Comparator.comparing(g -> g.getMetadata().getName()));
        sortByAge(gateways, o -> o);
        sortByAge(httpRoutes, o -> o);
        sortByAge(grpcRoutes, o -> o);
        sortByAge(listenerSets, o -> o);
        sortByAge(l4Routes, L4Route::object);
        sortByAge(clientTrafficPolicies, o -> o);
        sortByAge(backendTrafficPolicies, o -> o);
        sortByAge(securityPolicies, o -> o);
        sortByAge(backendTlsPolicies, o -> o);
        sortSlices(slicesByService);
    }

    /** Files a slice under the "namespace/name" of the Service its label names; one without it under none. */
    static void addSlice(EndpointSlice s, Map<String, List<EndpointSlice>> into) {
        Map<String, String> labels = s.getMetadata().getLabels();
        String svc = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        if (svc != null) {
            into.computeIfAbsent(key(namespace(s), svc), k -> new ArrayList<>()).add(s);
        }
    }

    static void sortSlices(Map<String, List<EndpointSlice>> slicesByService) {
        slicesByService.values().forEach(l -> l.sort(Comparator.comparing(s -> s.getMetadata().getName())));
    }

    private void add(ResourceSet.Entry e) {
        HasMetadata o = e.object();
        if (o.getMetadata() == null || o.getMetadata().getName() == null) {
            return;
        }
        if (o instanceof GatewayClass g) {
            remember(e, g, gatewayClasses);
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.GatewayClass g) {
            remember(e, new GatewayClass(g.getApiVersion(), g.getKind(), g.getMetadata(), g.getSpec(), g.getStatus()),
                    gatewayClasses);
        } else if (o instanceof Gateway g) {
            remember(e, g, gateways);
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.Gateway g) {
            remember(e, new Gateway(g.getApiVersion(), g.getKind(), g.getMetadata(), g.getSpec(), g.getStatus()),
                    gateways);
        } else if (o instanceof HTTPRoute r) {
            remember(e, r, httpRoutes);
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.HTTPRoute r) {
            remember(e, new HTTPRoute(r.getApiVersion(), r.getKind(), r.getMetadata(), r.getSpec(), r.getStatus()),
                    httpRoutes);
        } else if (o instanceof GRPCRoute r) {
            remember(e, r, grpcRoutes);
        } else if (o instanceof ListenerSet s) {
            remember(e, s, listenerSets);
        } else if (L4Route.of(o) != null) {
            origins.put(o, e);
            l4Routes.add(L4Route.of(o));
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant g) {
            grants.add(new Grant(namespace(g), g.getSpec()));
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant g) {
            grants.add(new Grant(namespace(g), g.getSpec()));
        } else if (o instanceof Service s) {
            services.put(key(namespace(s), s.getMetadata().getName()), s);
        } else if (o instanceof Secret s) {
            secrets.put(key(namespace(s), s.getMetadata().getName()), s);
        } else if (o instanceof io.fabric8.kubernetes.api.model.ConfigMap c) {
            configMaps.put(key(namespace(c), c.getMetadata().getName()), c);
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy p) {
            remember(e, p, backendTlsPolicies);
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.BackendTLSPolicy p) {
            remember(e, new io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy(p.getApiVersion(), p.getKind(),
                    p.getMetadata(), p.getSpec(), p.getStatus()), backendTlsPolicies);
        } else if (o instanceof Namespace n) {
            namespaceLabels.put(n.getMetadata().getName(),
                    n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels());
        } else if (o instanceof EndpointSlice s) {
            addSlice(s, slicesByService);
        } else if (ClientTrafficPolicyTranslator.isPolicy(o)) {
            remember(e, (GenericKubernetesResource) o, clientTrafficPolicies);
        } else if (BackendTrafficPolicyTranslator.isPolicy(o)) {
            remember(e, (GenericKubernetesResource) o, backendTrafficPolicies);
        } else if (SecurityPolicyTranslator.isPolicy(o)) {
            remember(e, (GenericKubernetesResource) o, securityPolicies);
        } else if (RequestTermination.is(o)) {
            requestTerminations.put(key(namespace(o), o.getMetadata().getName()),
                    RequestTermination.of((GenericKubernetesResource) o));
        } else {
            origins.put(o, e);
            ignored.add(o);
        }
    }

    private <T extends HasMetadata> void remember(ResourceSet.Entry e, T object, List<T> into) {
        origins.put(object, e);
        into.add(object);
    }

    /** Where an object came from, for diagnostics. */
    ResourceSet.Entry origin(Object object) {
        return origins.get(object);
    }

    Map<String, String> labelsOf(String namespace) {
        // A namespace that is referenced but not declared exists in Kubernetes only with its name label.
        Map<String, String> labels = namespaceLabels.get(namespace);
        Map<String, String> result = new HashMap<>(labels == null ? Map.of() : labels);
        result.putIfAbsent("kubernetes.io/metadata.name", namespace);
        return result;
    }

    static String namespace(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    static String qualifiedName(HasMetadata o) {
        return key(namespace(o), o.getMetadata().getName());
    }

    /**
     * The API server's form, {@code 2026-12-07T01:02:03Z}, read without DateTimeFormatter (which was a tenth of a
     * 5,000-route translation: precedence compares creation times often); null for any other form.
     */
    private static Instant rfc3339Seconds(String t) {
        if (t.length() != 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':' || t.charAt(19) != 'Z') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        try {
            return java.time.LocalDateTime.of(year, month, day, hour, minute, second)
                    .toInstant(java.time.ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            return null; // February 30th
        }
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Creation time, or {@link Instant#MAX} when absent so objects with a time count as older. */
    static Instant created(HasMetadata o) {
        ObjectMeta m = o.getMetadata();
        if (m.getCreationTimestamp() == null) {
            return Instant.MAX;
        }
        String t = m.getCreationTimestamp();
        Instant fast = rfc3339Seconds(t);
        if (fast != null) {
            return fast;
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            return Instant.MAX;
        }
    }

    /**
     * Sorts oldest first (then by namespace/name), each timestamp parsed once: a comparator that parses in every
     * comparison costs n log n parses, which was most of indexing 5,000 routes.
     */
    static <T> void sortByAge(List<T> list, java.util.function.Function<T, HasMetadata> object) {
        record Keyed<T>(T item, Instant created, String name) { }
        List<Keyed<T>> keyed = new ArrayList<>(list.size());
        for (T t : list) {
            HasMetadata o = object.apply(t);
            keyed.add(new Keyed<>(t, created(o), qualifiedName(o)));
        }
        keyed.sort(Comparator.comparing((Keyed<T> k) -> k.created()).thenComparing(Keyed::name));
        list.clear();
        keyed.forEach(k -> list.add(k.item()));
    }

    static int byAge(HasMetadata a, HasMetadata b) {
        int c = created(a).compareTo(created(b));
        return c != 0 ? c : qualifiedName(a).compareTo(qualifiedName(b));
    }
}
