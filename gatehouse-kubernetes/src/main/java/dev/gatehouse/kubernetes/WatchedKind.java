package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;

import java.util.List;

/**
 * A kind the controller watches. Core kinds are always served by the API; the others come from CRDs, which may be
 * missing (then {@link KubernetesResourceSource} skips the kind and checks again later).
 *
 * @param type the fabric8 model class, or {@link GenericKubernetesResource} for our own gatehouse.dev kinds, read
 *             generically as the file loader reads them
 * @param plural the resource name in the API path
 * @param statusWritten whether we write this kind's status: an update that leaves its generation, labels and
 *                      annotations alone (our own status write, another controller's) changes nothing we translate
 */
record WatchedKind(String group, String version, String kind, String plural, boolean namespaced,
                   Class<? extends HasMetadata> type, boolean statusWritten) {
    private static final String GATEWAY_API = "gateway.networking.k8s.io";
    private static final String GATEHOUSE = "gatehouse.dev";

    static final List<WatchedKind> ALL = List.of(
            new WatchedKind(GATEWAY_API, "v1", "GatewayClass", "gatewayclasses", false, GatewayClass.class, true),
            new WatchedKind(GATEWAY_API, "v1", "Gateway", "gateways", true, Gateway.class, true),
            new WatchedKind(GATEWAY_API, "v1", "ListenerSet", "listenersets", true, ListenerSet.class, true),
            new WatchedKind(GATEWAY_API, "v1", "HTTPRoute", "httproutes", true, HTTPRoute.class, true),
            new WatchedKind(GATEWAY_API, "v1", "GRPCRoute", "grpcroutes", true, GRPCRoute.class, true),
            // L4 routes: several versions of one kind are adjacent, newest first; the newest one the API server
            // serves is watched (it returns the same objects under every served version)
            new WatchedKind(GATEWAY_API, "v1", "TCPRoute", "tcproutes", true, TCPRoute.class, true),
            new WatchedKind(GATEWAY_API, "v1alpha2", "TCPRoute", "tcproutes", true,
                    io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute.class, true),
            new WatchedKind(GATEWAY_API, "v1", "TLSRoute", "tlsroutes", true, TLSRoute.class, true),
            new WatchedKind(GATEWAY_API, "v1alpha3", "TLSRoute", "tlsroutes", true,
                    io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.TLSRoute.class, true),
            new WatchedKind(GATEWAY_API, "v1alpha2", "TLSRoute", "tlsroutes", true,
                    io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute.class, true),
            new WatchedKind(GATEWAY_API, "v1", "UDPRoute", "udproutes", true, UDPRoute.class, true),
            new WatchedKind(GATEWAY_API, "v1alpha2", "UDPRoute", "udproutes", true,
                    io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.UDPRoute.class, true),
            new WatchedKind(GATEWAY_API, "v1", "ReferenceGrant", "referencegrants", true, ReferenceGrant.class, false),
            new WatchedKind("", "v1", "Service", "services", true, Service.class, false),
            new WatchedKind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, EndpointSlice.class,
                    false),
            new WatchedKind(GATEWAY_API, "v1", "BackendTLSPolicy", "backendtlspolicies", true, BackendTLSPolicy.class,
                    true),
            // only the Secrets and ConfigMaps something references, each by name (ObjectReferences, NamedInformers)
            new WatchedKind("", "v1", "Secret", "secrets", true, Secret.class, false),
            new WatchedKind("", "v1", "ConfigMap", "configmaps", true, ConfigMap.class, false),
            new WatchedKind("", "v1", "Namespace", "namespaces", false, Namespace.class, false),
            new WatchedKind(GATEHOUSE, "v1alpha1", "RequestTermination", "requestterminations", true,
                    GenericKubernetesResource.class, false),
            new WatchedKind(GATEHOUSE, "v1alpha1", "ClientTrafficPolicy", "clienttrafficpolicies", true,
                    GenericKubernetesResource.class, true),
            new WatchedKind(GATEHOUSE, "v1alpha1", "BackendTrafficPolicy", "backendtrafficpolicies", true,
                    GenericKubernetesResource.class, true),
            new WatchedKind(GATEHOUSE, "v1alpha1", "SecurityPolicy", "securitypolicies", true,
                    GenericKubernetesResource.class, true));

    /** The versions of this kind in {@link #ALL}, newest first (itself alone for most kinds). */
    List<WatchedKind> versions() {
        return ALL.stream().filter(k -> k.group.equals(group) && k.kind.equals(kind)).toList();
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** Core and discovery.k8s.io kinds are part of every API server; only CRD-defined kinds can be missing. */
    boolean fromCrd() {
        return group.equals(GATEWAY_API) || group.equals(GATEHOUSE);
    }

    /** Secrets and ConfigMaps: only the referenced ones are watched, by name, never the whole kind. */
    boolean byReference() {
        return type == Secret.class || type == ConfigMap.class;
    }

    boolean generic() {
        return type == GenericKubernetesResource.class;
    }

    @Override
    public String toString() {
        return kind + " (" + apiVersion() + ")";
    }
}
