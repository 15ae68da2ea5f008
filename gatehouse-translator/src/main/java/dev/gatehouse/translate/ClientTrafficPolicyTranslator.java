package dev.gatehouse.translate;

import dev.gatehouse.ir.ClientTrafficSpec;
import dev.gatehouse.ir.ForwardClientCertSpec;
import dev.gatehouse.ir.ProxyProtocolSpec;
import dev.gatehouse.translate.validate.DurationFormat;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code ClientTrafficPolicy} ({@code gatehouse.dev/v1alpha1}, our own API, read as a generic resource) ->
 * the {@link ClientTrafficSpec} of each port its target listeners bind. Limits are per port because a socket
 * is per port: a policy on one listener applies to every listener sharing its port. Fields left out take
 * {@link ClientTrafficSpec#DEFAULTS}. Two policies reaching one port: the oldest wins (then namespace/name),
 * as Gateway API policy attachment (GEP-713) says; the other gets {@code Accepted=False, Conflicted} for that
 * target and a warning. An invalid field rejects the config, as the CRD schema would.
 *
 * <p>{@code proxyProtocol} is Envoy Gateway's field ({@code optional}) plus our {@code trustedCIDRs}; being per
 * port like the limits, listeners sharing a port cannot disagree on it: the younger policy is Conflicted there.
 */
final class ClientTrafficPolicyTranslator {
    static final String KIND = "ClientTrafficPolicy";
    static final String API_VERSION = "gatehouse.dev/v1alpha1";
    private static final Set<String> SPEC_FIELDS = Set.of("targetRefs", "timeouts", "limits", "proxyProtocol",
            "enableProxyProtocol", "headers");
    /** EG's {@code headers}; of its fields only {@code xForwardedClientCert} for now. */
    private static final Set<String> HEADERS_FIELDS = Set.of("xForwardedClientCert");
    private static final Set<String> XFCC_FIELDS = Set.of("mode", "certDetailsToAdd");
    private static final Map<String, ForwardClientCertSpec.Mode> XFCC_MODES = Map.of(
            "Sanitize", ForwardClientCertSpec.Mode.SANITIZE,
            "ForwardOnly", ForwardClientCertSpec.Mode.FORWARD_ONLY,
            "AppendForward", ForwardClientCertSpec.Mode.APPEND_FORWARD,
            "SanitizeSet", ForwardClientCertSpec.Mode.SANITIZE_SET,
            "AlwaysForwardOnly", ForwardClientCertSpec.Mode.ALWAYS_FORWARD_ONLY);
    private static final Map<String, ForwardClientCertSpec.Detail> XFCC_DETAILS = Map.of(
            "Subject", ForwardClientCertSpec.Detail.SUBJECT,
            "Cert", ForwardClientCertSpec.Detail.CERT,
            "Chain", ForwardClientCertSpec.Detail.CHAIN,
            "DNS", ForwardClientCertSpec.Detail.DNS,
            "URI", ForwardClientCertSpec.Detail.URI);
    /** EG's {@code proxyProtocol {optional}} plus our {@code trustedCIDRs}. */
    private static final Set<String> PROXY_PROTOCOL_FIELDS = Set.of("optional", "trustedCIDRs");
    /** EG's meaning of a proxyProtocol without trustedCIDRs: every source must send the header. */
    private static final List<String> EVERY_SOURCE = List.of("0.0.0.0/0", "::/0");
    private static final Set<String> TARGET_KINDS = Set.of("Gateway", ListenerState.LISTENER_SET);
    private static final Set<String> TIMEOUT_FIELDS = Set.of("requestHeader", "bodyIdle", "bodyTotal", "idle",
            "backendResponse");
    private static final Set<String> LIMIT_FIELDS = Set.of("maxHeaderBytes", "maxHeaderFields", "maxUriBytes",
            "http2MaxConcurrentStreams", "http2MaxHeaderListBytes", "minBodyRateBytesPerSecond");

    record Result(Map<Integer, ClientTrafficSpec> byPort, List<ResourceStatus> statuses) { }

    private ClientTrafficPolicyTranslator() {
    }

    /** Field errors of every policy in the set. */
    static List<Diagnostic> validateAll(ResourceSet resources) {
        List<Diagnostic> out = new ArrayList<>();
        for (ResourceSet.Entry e : resources.entries()) {
            if (isPolicy(e.object())) {
                out.addAll(validate((GenericKubernetesResource) e.object(), e));
            }
        }
        return out;
    }

    static boolean isPolicy(Object o) {
        return o instanceof GenericKubernetesResource g && KIND.equals(g.getKind()) && API_VERSION.equals(g.getApiVersion());
    }

    /** Field errors, checked before translation (as the API server's schema would). */
    static List<Diagnostic> validate(GenericKubernetesResource policy, ResourceSet.Entry origin) {
        List<Diagnostic> out = new ArrayList<>();
        Object specValue = policy.getAdditionalProperties().get("spec");
        for (String key : policy.getAdditionalProperties().keySet()) {
            if (!"spec".equals(key) && !"status".equals(key)) {
                out.add(error(policy, origin, key, "unknown field"));
            }
        }
        if (!(specValue instanceof Map<?, ?> spec)) {
            out.add(error(policy, origin, "spec", "required field is missing"));
            return out;
        }
        unknown(spec, SPEC_FIELDS, "spec", policy, origin, out);
        if (!(spec.get("targetRefs") instanceof List<?> refs) || refs.isEmpty()) {
            out.add(error(policy, origin, "spec.targetRefs", "at least one target is required"));
        } else {
            for (int i = 0; i < refs.size(); i++) {
                PolicyFields.targetRef(refs.get(i), "spec.targetRefs[" + i + "]", TARGET_KINDS, KIND, policy, origin,
                        out);
            }
        }
        if (spec.get("timeouts") instanceof Map<?, ?> t) {
            unknown(t, TIMEOUT_FIELDS, "spec.timeouts", policy, origin, out);
            t.forEach((k, v) -> {
                if (TIMEOUT_FIELDS.contains(String.valueOf(k)) && !(v instanceof String s && DurationFormat.parse(s) != null)) {
                    out.add(error(policy, origin, "spec.timeouts." + k,
                            "must be a Gateway API duration such as 10s, 500ms or 1m30s"));
                }
            });
        } else if (spec.get("timeouts") != null) {
            out.add(error(policy, origin, "spec.timeouts", "must be a mapping"));
        }
        if (spec.get("limits") instanceof Map<?, ?> l) {
            unknown(l, LIMIT_FIELDS, "spec.limits", policy, origin, out);
            l.forEach((k, v) -> {
                String name = String.valueOf(k);
                if (!LIMIT_FIELDS.contains(name)) {
                    return;
                }
                long min = "minBodyRateBytesPerSecond".equals(name) ? 0 : 1;
                if (!(v instanceof Number n) || n.longValue() < min || n.longValue() > Integer.MAX_VALUE
                        || n.doubleValue() != n.longValue()) {
                    out.add(error(policy, origin, "spec.limits." + name,
                            "must be an integer between " + min + " and " + Integer.MAX_VALUE));
                }
            });
        } else if (spec.get("limits") != null) {
            out.add(error(policy, origin, "spec.limits", "must be a mapping"));
        }
        validateProxyProtocol(spec, policy, origin, out);
        validateHeaders(spec, policy, origin, out);
        return out;
    }

    /**
     * @param policies oldest first
     * @param listenersByGateway "namespace/name" -> its listeners
     * @param listenersBySet "namespace/name" -> the listeners of a ListenerSet that names a Gateway of ours
     */
    static Result translate(List<GenericKubernetesResource> policies, Map<String, List<ListenerState>> listenersByGateway,
                            Map<String, List<ListenerState>> listenersBySet, List<ListenerState> allListeners,
                            ResourceIndex index, List<Diagnostic> diagnostics) {
        Map<Integer, ClientTrafficSpec> byPort = new TreeMap<>();
        Map<Integer, String> ownerOfPort = new HashMap<>();
        List<ResourceStatus> statuses = new ArrayList<>();
        for (GenericKubernetesResource policy : policies) {
            String namespace = ResourceIndex.namespace(policy);
            String self = namespace + "/" + policy.getMetadata().getName();
            Map<?, ?> spec = (Map<?, ?>) policy.getAdditionalProperties().get("spec");
            ClientTrafficSpec value = specOf(spec);
            warnProxyProtocol(spec, policy, index, diagnostics);
            List<ResourceStatus.ParentStatus> ancestors = new ArrayList<>();
            for (Object o : (List<?>) spec.get("targetRefs")) {
                Map<?, ?> ref = (Map<?, ?>) o;
                String gateway = namespace + "/" + ref.get("name");
                String kind = String.valueOf(ref.get("kind"));
                String section = ref.get("sectionName") instanceof String s ? s : null;
                String ancestor = kind + " " + gateway + (section == null ? "" : "/" + section);
                boolean isSet = kind.equals(ListenerState.LISTENER_SET);
                List<ListenerState> listeners = (isSet ? listenersBySet : listenersByGateway).get(gateway);
                List<ListenerState> targets = new ArrayList<>();
                if (listeners != null) {
                    for (ListenerState l : listeners) {
                        // a ListenerSet's listener that is not on a port (refused, conflicted) has nothing to limit
                        if ((section == null || section.equals(l.name())) && (!isSet || l.acceptsRoutes())) {
                            targets.add(l);
                        }
                    }
                }
                if (targets.isEmpty()) {
                    ancestors.add(new ResourceStatus.ParentStatus(ancestor, null,
                            List.of(Conditions.policyTargetNotFound("no " + kind + " " + gateway
                                    + (section == null ? "" : " with a listener " + section)
                                    + (isSet ? " attached to a Gateway" : "") + " of this controller"))));
                    continue;
                }
                String shared = isSet ? sharedPort(targets, allListeners) : null;
                if (shared != null) {
                    // limits are per port; the spec says a ListenerSet's policy must not reach its Gateway's listeners
                    ancestors.add(new ResourceStatus.ParentStatus(ancestor, null, List.of(new Condition("Accepted",
                            Conditions.FALSE, "Invalid", shared + ": limits apply per port, and a ListenerSet's "
                            + "policy must not change other listeners; give the ListenerSet's listeners ports of their own"))));
                    continue;
                }
                String conflict = null;
                java.util.TreeSet<Integer> applied = new java.util.TreeSet<>();
                for (ListenerState l : targets) {
                    int port = l.port();
                    String owner = ownerOfPort.putIfAbsent(port, self);
                    if (owner == null || owner.equals(self)) {
                        byPort.put(port, value);
                        applied.add(port);
                    } else if (conflict == null) {
                        conflict = "port " + port + " already has ClientTrafficPolicy " + owner + " (older)";
                    }
                }
                if (conflict != null && !applied.isEmpty()) {
                    conflict += "; applied to port " + applied.stream().map(String::valueOf)
                            .collect(java.util.stream.Collectors.joining(", "));
                }
                if (conflict != null) {
                    ResourceSet.Entry origin = index.origin(policy);
                    diagnostics.add(new Diagnostic(Diagnostic.Severity.WARNING, origin == null ? null : origin.file(),
                            origin == null ? 0 : origin.document(), KIND + " " + self, "spec.targetRefs",
                            conflict + "; the oldest policy wins"));
                    ancestors.add(new ResourceStatus.ParentStatus(ancestor, null,
                            List.of(Conditions.policyConflicted(conflict))));
                } else {
                    ancestors.add(new ResourceStatus.ParentStatus(ancestor, null, List.of(Conditions.policyAccepted())));
                }
            }
            statuses.add(new ResourceStatus(KIND, namespace, policy.getMetadata().getName(), List.of(), List.of(),
                    ancestors));
        }
        return new Result(byPort, statuses);
    }

    /** "port P is shared with ..." when a target's port also serves a listener of another owner, else null. */
    private static String sharedPort(List<ListenerState> targets, List<ListenerState> allListeners) {
        for (ListenerState t : targets) {
            for (ListenerState l : allListeners) {
                if (l.port() == t.port() && l.owner != t.owner && l.acceptsRoutes()) {
                    return "port " + t.port() + " is shared with " + (l.fromListenerSet() ? "another ListenerSet's"
                            : "the Gateway's") + " listeners";
                }
            }
        }
        return null;
    }

    private static void validateProxyProtocol(Map<?, ?> spec, GenericKubernetesResource policy, ResourceSet.Entry origin,
                                              List<Diagnostic> out) {
        if (spec.get("enableProxyProtocol") != null && !(spec.get("enableProxyProtocol") instanceof Boolean)) {
            out.add(error(policy, origin, "spec.enableProxyProtocol", "must be true or false"));
        }
        Object value = spec.get("proxyProtocol");
        if (value == null) {
            return;
        }
        if (!(value instanceof Map<?, ?> pp)) {
            out.add(error(policy, origin, "spec.proxyProtocol", "must be a mapping"));
            return;
        }
        unknown(pp, PROXY_PROTOCOL_FIELDS, "spec.proxyProtocol", policy, origin, out);
        if (pp.get("optional") != null && !(pp.get("optional") instanceof Boolean)) {
            out.add(error(policy, origin, "spec.proxyProtocol.optional", "must be true or false"));
        }
        Object cidrs = pp.get("trustedCIDRs");
        if (cidrs == null) {
            return;
        }
        if (!(cidrs instanceof List<?> list) || list.isEmpty()) {
            out.add(error(policy, origin, "spec.proxyProtocol.trustedCIDRs",
                    "must list at least one CIDR such as 10.0.0.0/8 or 2001:db8::/32 (leave it out to trust every source)"));
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String problem = list.get(i) instanceof String c ? Cidr.problem(c) : "must be a string";
            if (problem != null) {
                out.add(error(policy, origin, "spec.proxyProtocol.trustedCIDRs[" + i + "]", problem));
            }
        }
    }

    /** EG's schema and CEL rule for {@code headers.xForwardedClientCert}. */
    private static void validateHeaders(Map<?, ?> spec, GenericKubernetesResource policy, ResourceSet.Entry origin,
                                        List<Diagnostic> out) {
        Object value = spec.get("headers");
        if (value == null) {
            return;
        }
        if (!(value instanceof Map<?, ?> headers)) {
            out.add(error(policy, origin, "spec.headers", "must be a mapping"));
            return;
        }
        unknown(headers, HEADERS_FIELDS, "spec.headers", policy, origin, out);
        Object xfccValue = headers.get("xForwardedClientCert");
        if (xfccValue == null) {
            return;
        }
        String at = "spec.headers.xForwardedClientCert";
        if (!(xfccValue instanceof Map<?, ?> xfcc)) {
            out.add(error(policy, origin, at, "must be a mapping"));
            return;
        }
        unknown(xfcc, XFCC_FIELDS, at, policy, origin, out);
        Object mode = xfcc.get("mode");
        if (mode != null && !XFCC_MODES.containsKey(String.valueOf(mode))) {
            out.add(error(policy, origin, at + ".mode", "must be one of AlwaysForwardOnly, AppendForward, ForwardOnly,"
                    + " Sanitize, SanitizeSet"));
        }
        Object details = xfcc.get("certDetailsToAdd");
        if (details == null) {
            return;
        }
        if (!(details instanceof List<?> list)) {
            out.add(error(policy, origin, at + ".certDetailsToAdd", "must be a list"));
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            if (!XFCC_DETAILS.containsKey(String.valueOf(list.get(i)))) {
                out.add(error(policy, origin, at + ".certDetailsToAdd[" + i + "]",
                        "must be one of Cert, Chain, DNS, Subject, URI"));
            }
        }
        if (!list.isEmpty() && !"AppendForward".equals(mode) && !"SanitizeSet".equals(mode)) {
            out.add(error(policy, origin, at, "certDetailsToAdd can only be set when mode is AppendForward or"
                    + " SanitizeSet"));
        }
    }

    private static ForwardClientCertSpec forwardClientCertOf(Map<?, ?> spec) {
        if (!(spec.get("headers") instanceof Map<?, ?> headers)
                || !(headers.get("xForwardedClientCert") instanceof Map<?, ?> xfcc)) {
            return null;
        }
        ForwardClientCertSpec.Mode mode = xfcc.get("mode") == null ? ForwardClientCertSpec.Mode.SANITIZE
                : XFCC_MODES.get(String.valueOf(xfcc.get("mode")));
        List<ForwardClientCertSpec.Detail> details = new ArrayList<>();
        if (xfcc.get("certDetailsToAdd") instanceof List<?> list) {
            list.forEach(d -> details.add(XFCC_DETAILS.get(String.valueOf(d))));
        }
        return new ForwardClientCertSpec(mode, details.stream().distinct().sorted().toList());
    }

    /** Deprecated or trust-everything forms, valid in EG and so accepted here, but worth a warning. */
    private static void warnProxyProtocol(Map<?, ?> spec, GenericKubernetesResource policy, ResourceIndex index,
                                          List<Diagnostic> diagnostics) {
        String field = null;
        String message = null;
        if (spec.get("proxyProtocol") instanceof Map<?, ?> pp && pp.get("trustedCIDRs") == null) {
            field = "spec.proxyProtocol.trustedCIDRs";
            message = "not set: every source must send a PROXY header and may claim any client address;"
                    + " list the load balancers' CIDRs";
        } else if (spec.get("proxyProtocol") == null && Boolean.TRUE.equals(spec.get("enableProxyProtocol"))) {
            field = "spec.enableProxyProtocol";
            message = "deprecated (as in Envoy Gateway): use proxyProtocol with trustedCIDRs; every source must"
                    + " send a PROXY header and may claim any client address";
        }
        if (field != null) {
            ResourceSet.Entry origin = index.origin(policy);
            diagnostics.add(new Diagnostic(Diagnostic.Severity.WARNING, origin == null ? null : origin.file(),
                    origin == null ? 0 : origin.document(), KIND + " " + ResourceIndex.qualifiedName(policy), field,
                    message));
        }
    }

    private static ProxyProtocolSpec proxyProtocolOf(Map<?, ?> spec) {
        if (spec.get("proxyProtocol") instanceof Map<?, ?> pp) {
            List<String> cidrs = new ArrayList<>();
            if (pp.get("trustedCIDRs") instanceof List<?> list) {
                list.forEach(c -> cidrs.add(Cidr.canonical((String) c)));
            }
            return new ProxyProtocolSpec(Boolean.TRUE.equals(pp.get("optional")), cidrs.isEmpty() ? EVERY_SOURCE : cidrs);
        }
        return Boolean.TRUE.equals(spec.get("enableProxyProtocol")) ? new ProxyProtocolSpec(false, EVERY_SOURCE) : null;
    }

    static ClientTrafficSpec specOf(Map<?, ?> spec) {
        ClientTrafficSpec d = ClientTrafficSpec.DEFAULTS;
        Map<?, ?> t = spec.get("timeouts") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> l = spec.get("limits") instanceof Map<?, ?> m ? m : Map.of();
        return new ClientTrafficSpec(
                duration(t, "requestHeader", d.requestHeader()),
                duration(t, "bodyIdle", d.bodyIdle()),
                duration(t, "bodyTotal", d.bodyTotal()),
                duration(t, "idle", d.idle()),
                duration(t, "backendResponse", d.backendResponse()),
                integer(l, "maxHeaderBytes", d.maxHeaderBytes()),
                integer(l, "maxHeaderFields", d.maxHeaderFields()),
                integer(l, "maxUriBytes", d.maxUriBytes()),
                integer(l, "http2MaxConcurrentStreams", d.http2MaxConcurrentStreams()),
                integer(l, "http2MaxHeaderListBytes", d.http2MaxHeaderListBytes()),
                l.get("minBodyRateBytesPerSecond") instanceof Number n ? n.longValue() : d.minBodyRateBytesPerSecond(),
                proxyProtocolOf(spec),
                forwardClientCertOf(spec));
    }

    private static Duration duration(Map<?, ?> m, String key, Duration fallback) {
        Duration d = m.get(key) instanceof String s ? DurationFormat.parse(s) : null;
        return d == null ? fallback : d;
    }

    private static int integer(Map<?, ?> m, String key, int fallback) {
        return m.get(key) instanceof Number n ? n.intValue() : fallback;
    }

    private static void unknown(Map<?, ?> map, Set<String> known, String at, GenericKubernetesResource policy,
                                ResourceSet.Entry origin, List<Diagnostic> out) {
        PolicyFields.unknown(map, known, at, KIND, policy, origin, out);
    }

    private static Diagnostic error(GenericKubernetesResource policy, ResourceSet.Entry origin, String field, String message) {
        return PolicyFields.error(KIND, policy, origin, field, message);
    }
}
