package dev.gatehouse.translate;

import dev.gatehouse.ir.BackendProtocol;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.UpstreamTlsSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Resolves a backend reference (of a backendRef or a RequestMirror filter) to a cluster named
 * "namespace/service:port" whose endpoints come from the Service's EndpointSlices.
 */
final class BackendResolver {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
    /** The Service port appProtocol (KEP-3726's standard names) that selects HTTP/2 with prior knowledge. */
    private static final String H2C = "kubernetes.io/h2c";

    /** A reference as written, with defaults not yet applied. */
    record Target(String group, String kind, String name, String namespace, Integer port) { }

    /** WebSocket over TLS: the TLS (CA, name to verify) must come from a BackendTLSPolicy. */
    private static final String WSS = "kubernetes.io/wss";

    /**
     * @param cluster the cluster name, or {@code null} when {@code failure} says why not, or, with no failure, when
     *                the reference resolves but the backend cannot be reached ({@code unusable}: its BackendTLSPolicy
     *                is invalid, which the policy's status reports; the route's references stay resolved)
     */
    record Resolution(String cluster, Condition failure, String unusable) {
        Resolution(String cluster, Condition failure) {
            this(cluster, failure, null);
        }

        /** Why this backend's share of traffic is answered 500, or null when it is not. */
        String invalidReason() {
            return failure != null ? failure.message() : unusable;
        }
    }

    private final ResourceIndex index;
    private final ReferenceGrants grants;
    private final BackendTlsPolicies tlsPolicies;

    /** Each EndpointSlice's endpoints by port name, read once per slice object rather than once per reload. */
    private final ObjectMemo.Round<EndpointSlice, SliceEndpoints.ByPort> slices;

    /** Where each cluster's endpoints come from, by cluster name: what an EndpointSlice-only change recomputes. */
    final Map<String, EndpointRefresh.Source> sources = new java.util.HashMap<>();

    /**
     * What one resolution left behind besides its answer: a BackendTLSPolicy applied to {@code cluster} (when the
     * Service has one) and, for a usable cluster, its {@code source} (else null). A route kept by
     * {@link RouteTranslations} replays these, so the policies' statuses and the endpoint sources are what
     * translating it again would leave.
     */
    record Effect(String serviceKey, ServicePort port, String cluster, EndpointRefresh.Source source) { }

    /** Where resolutions record their {@link Effect}s, or null when nobody listens. */
    private List<Effect> effects;

    BackendResolver(ResourceIndex index, ReferenceGrants grants, BackendTlsPolicies tlsPolicies,
                    ObjectMemo.Round<EndpointSlice, SliceEndpoints.ByPort> slices) {
        this.index = index;
        this.grants = grants;
        this.tlsPolicies = tlsPolicies;
        this.slices = slices;
    }

    Resolution resolve(Target t, String routeNamespace, Map<String, ClusterSpec> clusters) {
        return resolve(GatewayTranslator.HTTP_ROUTE, t, routeNamespace, clusters);
    }

    /** @param fromKind the referring route's kind, which a ReferenceGrant must name */
    Resolution resolve(String fromKind, Target t, String routeNamespace, Map<String, ClusterSpec> clusters) {
        return resolve(ReferenceGrants.GATEWAY_GROUP, fromKind, t, routeNamespace, clusters);
    }

    /** @param fromGroup the referring object's group (a gatehouse.dev policy's ext-auth service), for ReferenceGrants */
    Resolution resolve(String fromGroup, String fromKind, Target t, String routeNamespace,
                       Map<String, ClusterSpec> clusters) {
        String group = t.group() == null ? "" : t.group();
        String kind = t.kind() == null ? "Service" : t.kind();
        String ns = t.namespace() == null || t.namespace().isEmpty() ? routeNamespace : t.namespace();
        String key = ns + "/" + t.name();
        if (!group.isEmpty() || !kind.equals("Service")) {
            return new Resolution(null, Conditions.routeInvalidKind(
                    "backendRef " + (group.isEmpty() ? "" : group + "/") + kind + " " + key + " is not a core Service"));
        }
        if (!grants.permits(fromGroup, fromKind, routeNamespace, "Service", ns, t.name())) {
            return new Resolution(null, Conditions.routeRefNotPermitted(
                    "backendRef Service " + key + " is in another namespace and no ReferenceGrant permits it"));
        }
        Service service = index.services.get(key);
        if (service == null) {
            return new Resolution(null, Conditions.routeBackendNotFound("Service " + key + " does not exist"));
        }
        ServicePort servicePort = service.getSpec() == null || service.getSpec().getPorts() == null ? null
                : service.getSpec().getPorts().stream().filter(p -> Objects.equals(p.getPort(), t.port())).findFirst().orElse(null);
        if (servicePort == null) {
            return new Resolution(null, Conditions.routeBackendNotFound("Service " + key + " has no port " + t.port()));
        }
        String name = key + ":" + t.port();
        String[] unusable = {null};
        UpstreamTlsSpec tls = tlsPolicies.apply(key, servicePort, name, unusable);
        if (unusable[0] != null) {
            record(new Effect(key, servicePort, name, null));
            return new Resolution(null, null, unusable[0]);
        }
        if (tls == null && WSS.equals(servicePort.getAppProtocol())) {
            record(new Effect(key, servicePort, name, null));
            return new Resolution(null, Conditions.routeUnsupportedProtocol("Service " + key + " port " + t.port()
                    + " has appProtocol " + WSS + " but no BackendTLSPolicy says how to verify it"));
        }
        // kubernetes.io/ws is HTTP/1.1 whose upgrade requests splice; any other value is spoken to as HTTP/1.1 too.
        // h2c under a BackendTLSPolicy is HTTP/2 over TLS (ALPN h2), as Envoy Gateway does: never cleartext there
        BackendProtocol protocol = H2C.equals(servicePort.getAppProtocol()) ? BackendProtocol.HTTP_2 : null;
        String portName = servicePort.getName() == null ? "" : servicePort.getName();
        EndpointRefresh.Source source = new EndpointRefresh.Source(key, portName);
        sources.put(name, source);
        record(new Effect(key, servicePort, name, source));
        clusters.computeIfAbsent(name, n -> new ClusterSpec(n, endpointsOf(source),
                ClusterSpec.LoadBalancerType.ROUND_ROBIN, protocol, tls));
        return new Resolution(name, null);
    }

    private void record(Effect effect) {
        if (effects != null) {
            effects.add(effect);
        }
    }

    /** Runs {@code resolving} and returns it with the {@link Effect}s of the resolutions it made, in order. */
    <T> T recording(java.util.function.Supplier<T> resolving, List<Effect> into) {
        effects = into;
        try {
            return resolving.get();
        } finally {
            effects = null;
        }
    }

    /** Leaves what the resolutions that recorded {@code made} left: the same policy uses, the same sources. */
    void replay(List<Effect> made) {
        String[] unusable = {null};
        for (Effect e : made) {
            tlsPolicies.apply(e.serviceKey(), e.port(), e.cluster(), unusable);
            if (e.source() != null) {
                sources.put(e.cluster(), e.source());
            }
        }
    }

    /** {@code source}'s endpoints in this translation's slices. */
    List<ClusterSpec.EndpointSpec> endpointsOf(EndpointRefresh.Source source) {
        return endpoints(index.slicesByService.getOrDefault(source.service(), List.of()), source.portName(), slices);
    }

    /**
     * Ready endpoints of every slice of the Service, on the slice port named like the Service port. When none is
     * ready, the serving ones that are terminating (a rollout's last pods, still draining): as kube-proxy does,
     * better a pod on its way out than no answer at all. A Service of one slice gets that slice's list itself,
     * the same instance while the slice is unchanged, so comparing the cluster with the previous one is cheap.
     */
    static List<ClusterSpec.EndpointSpec> endpoints(List<EndpointSlice> ofService, String portName,
                                                    ObjectMemo.Round<EndpointSlice, SliceEndpoints.ByPort> slices) {
        if (ofService.size() == 1) {
            SliceEndpoints one = slices.get(ofService.get(0), SliceEndpoints::of).port(portName);
            return one == null ? List.of() : one.ready().isEmpty() ? one.terminating() : one.ready();
        }
        TreeSet<ClusterSpec.EndpointSpec> ready = new TreeSet<>(SliceEndpoints.ORDER);
        TreeSet<ClusterSpec.EndpointSpec> terminating = new TreeSet<>(SliceEndpoints.ORDER);
        for (EndpointSlice slice : ofService) {
            SliceEndpoints of = slices.get(slice, SliceEndpoints::of).port(portName);
            if (of != null) {
                ready.addAll(of.ready());
                terminating.addAll(of.terminating());
            }
        }
        return List.copyOf(ready.isEmpty() ? terminating : ready);
    }

    /** FQDN endpoints would need resolution on the data plane; we only take IP literals. */
    static boolean isIpLiteral(String address) {
        return address != null && (IPV4.matcher(address).matches() || IPV6.matcher(address).matches());
    }
}
