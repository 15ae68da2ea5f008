package dev.gatehouse.translate;

/**
 * The one catalogue of status conditions the translator writes, with the types and reasons the
 * Gateway API spec defines (v1.6, Standard channel). Having them in one place keeps reasons and messages
 * consistent and lets a reader find every condition a resource can get.
 */
public final class Conditions {
    static final String TRUE = "True";
    static final String FALSE = "False";

    private Conditions() {
    }

    // GatewayClass

    public static Condition gatewayClassAccepted() {
        return new Condition("Accepted", TRUE, "Accepted", "GatewayClass is accepted");
    }

    /**
     * A GatewayClass of another controller keeps the status the API server gives a new one, Unknown/Pending (no
     * controller here may accept or refuse it), with a message that says why and what was probably meant.
     */
    public static Condition gatewayClassNotOurs(String message) {
        return new Condition("Accepted", "Unknown", "Pending", message);
    }

    // Gateway

    public static Condition gatewayAccepted() {
        return new Condition("Accepted", TRUE, "Accepted", "Gateway is accepted");
    }

    /** Some listeners are invalid; the Gateway stays accepted while at least one listener is valid. */
    public static Condition gatewayListenersNotValid(boolean anyValid) {
        return new Condition("Accepted", anyValid ? TRUE : FALSE, "ListenersNotValid",
                anyValid ? "Gateway has invalid listeners" : "Gateway has no valid listeners");
    }

    public static Condition gatewayProgrammed() {
        return new Condition("Programmed", TRUE, "Programmed", "Gateway is programmed");
    }

    public static Condition gatewayNotProgrammed() {
        return new Condition("Programmed", FALSE, "Invalid", "Gateway has no programmed listeners");
    }

    // Listener

    public static Condition listenerAccepted() {
        return new Condition("Accepted", TRUE, "Accepted", "Listener is accepted");
    }

    public static Condition listenerUnsupportedProtocol(String protocol) {
        return new Condition("Accepted", FALSE, "UnsupportedProtocol",
                "protocol " + protocol + " is not supported yet");
    }

    public static Condition listenerUnsupportedTlsMode(String message) {
        return new Condition("Accepted", FALSE, "UnsupportedValue", message);
    }

    /** A conflicted listener is not accepted either, with the conflict's reason (as NGINX Gateway Fabric does). */
    public static Condition listenerConflictNotAccepted(Condition conflicted) {
        return new Condition("Accepted", FALSE, conflicted.reason(), conflicted.message());
    }

    public static Condition listenerResolvedRefs() {
        return new Condition("ResolvedRefs", TRUE, "ResolvedRefs", "All references are resolved");
    }

    public static Condition listenerInvalidRouteKinds(String message) {
        return new Condition("ResolvedRefs", FALSE, "InvalidRouteKinds", message);
    }

    public static Condition listenerInvalidCertificateRef(String message) {
        return new Condition("ResolvedRefs", FALSE, "InvalidCertificateRef", message);
    }

    public static Condition listenerInvalidCACertificateRef(String message) {
        return new Condition("ResolvedRefs", FALSE, "InvalidCACertificateRef", message);
    }

    public static Condition listenerInvalidCACertificateKind(String message) {
        return new Condition("ResolvedRefs", FALSE, "InvalidCACertificateKind", message);
    }

    /** Every caCertificateRef of the listener's frontend validation is invalid: the listener is not accepted. */
    public static Condition listenerNoValidCACertificate(String message) {
        return new Condition("Accepted", FALSE, "NoValidCACertificate", message);
    }

    public static Condition listenerRefNotPermitted(String message) {
        return new Condition("ResolvedRefs", FALSE, "RefNotPermitted", message);
    }

    public static Condition listenerProgrammed() {
        return new Condition("Programmed", TRUE, "Programmed", "Listener is programmed");
    }

    public static Condition listenerNotProgrammed(String message) {
        return new Condition("Programmed", FALSE, "Invalid", message);
    }

    /** An accepted listener whose protocol the data plane does not serve yet: its port is never opened. */
    public static Condition listenerProtocolNotServed(String protocol, int port) {
        return listenerNotProgrammed("Listener is not programmed: protocol " + protocol + " is not served yet, "
                + "so port " + port + " is not opened and requests to it are refused");
    }

    /** Translated and programmed, but its port is not bound (in use, no permission); the bind is retried. */
    public static Condition listenerPortNotBound(String reason) {
        return new Condition("Programmed", FALSE, "Pending", "Listener is not programmed: " + reason);
    }

    public static Condition listenerNoConflicts() {
        return new Condition("Conflicted", FALSE, "NoConflicts", "No conflicts");
    }

    public static Condition listenerProtocolConflict(String message) {
        return new Condition("Conflicted", TRUE, "ProtocolConflict", message);
    }

    public static Condition listenerHostnameConflict(String message) {
        return new Condition("Conflicted", TRUE, "HostnameConflict", message);
    }

    // Route parent

    public static Condition routeAccepted() {
        return new Condition("Accepted", TRUE, "Accepted", "Route is accepted");
    }

    public static Condition routeNotAllowedByListeners() {
        return new Condition("Accepted", FALSE, "NotAllowedByListeners",
                "no listener of the parent allows this route (namespace or kind)");
    }

    public static Condition routeNoMatchingListenerHostname() {
        return new Condition("Accepted", FALSE, "NoMatchingListenerHostname",
                "no listener hostname intersects the route's hostnames");
    }

    /**
     * An HTTPRoute and a GRPCRoute may not share a hostname on a listener; the older keeps it. The spec names no
     * reason for the younger's Accepted=False, so this one is ours (Istio and Traefik use the same).
     */
    public static Condition routeHostnameConflict(String holder) {
        return new Condition("Accepted", FALSE, "HostnameConflict", "the route's hostnames intersect those of "
                + holder + ", an older route of the other kind on the same listener (HTTPRoute and GRPCRoute "
                + "may not share a hostname)");
    }

    public static Condition routeNoMatchingParent(String message) {
        return new Condition("Accepted", FALSE, "NoMatchingParent", message);
    }

    public static Condition routeUnsupportedValue(String message) {
        return new Condition("Accepted", FALSE, "UnsupportedValue", message);
    }

    public static Condition routeResolvedRefs() {
        return new Condition("ResolvedRefs", TRUE, "ResolvedRefs", "All references are resolved");
    }

    public static Condition routeBackendNotFound(String message) {
        return new Condition("ResolvedRefs", FALSE, "BackendNotFound", message);
    }

    public static Condition routeRefNotPermitted(String message) {
        return new Condition("ResolvedRefs", FALSE, "RefNotPermitted", message);
    }

    public static Condition routeInvalidKind(String message) {
        return new Condition("ResolvedRefs", FALSE, "InvalidKind", message);
    }

    public static Condition routeUnsupportedProtocol(String message) {
        return new Condition("ResolvedRefs", FALSE, "UnsupportedProtocol", message);
    }

    // ClientTrafficPolicy ancestor (GEP-713 policy attachment)

    public static Condition policyAccepted() {
        return new Condition("Accepted", TRUE, "Accepted", "Policy is accepted");
    }

    public static Condition policyConflicted(String message) {
        return new Condition("Accepted", FALSE, "Conflicted", message);
    }

    public static Condition policyInvalid(String message) {
        return new Condition("Accepted", FALSE, "Invalid", message);
    }

    public static Condition policyTargetNotFound(String message) {
        return new Condition("Accepted", FALSE, "TargetNotFound", message);
    }

    // BackendTLSPolicy ancestor (a Gateway whose routes use the targeted Service)

    public static Condition backendTlsPolicyInvalid(String message) {
        return new Condition("Accepted", FALSE, "Invalid", message);
    }

    public static Condition backendTlsPolicyNoValidCaCertificate(String message) {
        return new Condition("Accepted", FALSE, "NoValidCACertificate", message);
    }

    public static Condition backendTlsPolicyResolvedRefs() {
        return new Condition("ResolvedRefs", TRUE, "ResolvedRefs", "All references are resolved");
    }

    public static Condition backendTlsPolicyInvalidCaCertificateRef(String message) {
        return new Condition("ResolvedRefs", FALSE, "InvalidCACertificateRef", message);
    }

    public static Condition backendTlsPolicyInvalidKind(String message) {
        return new Condition("ResolvedRefs", FALSE, "InvalidKind", message);
    }

    // Gateway spec.tls.backend

    public static Condition gatewayInvalidClientCertificateRef(String message) {
        return new Condition("ResolvedRefs", FALSE, "InvalidClientCertificateRef", message);
    }

    public static Condition gatewayRefNotPermitted(String message) {
        return new Condition("ResolvedRefs", FALSE, "RefNotPermitted", message);
    }
}
