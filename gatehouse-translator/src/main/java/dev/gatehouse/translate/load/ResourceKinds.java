package dev.gatehouse.translate.load;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;

import java.util.Map;
import java.util.Set;

/** The kinds standalone mode reads, by "apiVersion kind", and the fabric8 class of each. */
public final class ResourceKinds {
    private static final String GW = "gateway.networking.k8s.io/";

    private static final Map<String, Class<? extends HasMetadata>> CLASSES = Map.ofEntries(
            Map.entry(GW + "v1 GatewayClass", GatewayClass.class),
            Map.entry(GW + "v1beta1 GatewayClass", io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.GatewayClass.class),
            Map.entry(GW + "v1 Gateway", Gateway.class),
            Map.entry(GW + "v1beta1 Gateway", io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.Gateway.class),
            Map.entry(GW + "v1 HTTPRoute", HTTPRoute.class),
            Map.entry(GW + "v1beta1 HTTPRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.HTTPRoute.class),
            Map.entry(GW + "v1 GRPCRoute", GRPCRoute.class),
            Map.entry(GW + "v1 ListenerSet", ListenerSet.class),
            Map.entry(GW + "v1 ReferenceGrant", ReferenceGrant.class),
            Map.entry(GW + "v1beta1 ReferenceGrant", io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant.class),
            Map.entry(GW + "v1 TLSRoute", TLSRoute.class),
            Map.entry(GW + "v1alpha2 TLSRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute.class),
            Map.entry(GW + "v1alpha3 TLSRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.TLSRoute.class),
            Map.entry(GW + "v1 TCPRoute", TCPRoute.class),
            Map.entry(GW + "v1alpha2 TCPRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute.class),
            Map.entry(GW + "v1 UDPRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute.class),
            Map.entry(GW + "v1alpha2 UDPRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.UDPRoute.class),
            Map.entry(GW + "v1 BackendTLSPolicy", io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy.class),
            Map.entry(GW + "v1alpha3 BackendTLSPolicy",
                    io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.BackendTLSPolicy.class),
            Map.entry("v1 ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("v1 Service", Service.class),
            Map.entry("v1 Secret", Secret.class),
            Map.entry("v1 Namespace", Namespace.class),
            Map.entry("discovery.k8s.io/v1 EndpointSlice", EndpointSlice.class),
            // our own API: read generically, checked by validate.RequestTerminationValidator
            Map.entry("gatehouse.dev/v1alpha1 RequestTermination", GenericKubernetesResource.class),
            // our own API: read generically, checked by ClientTrafficPolicyTranslator.validate
            Map.entry("gatehouse.dev/v1alpha1 ClientTrafficPolicy", GenericKubernetesResource.class),
            // our own API: read generically, checked by BackendTrafficPolicyValidator
            Map.entry("gatehouse.dev/v1alpha1 BackendTrafficPolicy", GenericKubernetesResource.class),
            // our own API: read generically, checked by SecurityPolicyValidator
            Map.entry("gatehouse.dev/v1alpha1 SecurityPolicy", GenericKubernetesResource.class));

    private static final Set<String> CLUSTER_SCOPED = Set.of("GatewayClass", "Namespace");

    private ResourceKinds() {
    }

    /** The class for this apiVersion and kind, or {@code null} when standalone mode does not read it. */
    public static Class<? extends HasMetadata> classFor(String apiVersion, String kind) {
        return CLASSES.get(apiVersion + " " + kind);
    }

    public static boolean isNamespaced(String kind) {
        return !CLUSTER_SCOPED.contains(kind);
    }
}
