package dev.gatehouse.translate.validate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerNamespaces;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentGatewayReference;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Gateway and ListenerSet specs: listener fields and the CEL rules across listeners (the same in both CRDs). */
final class GatewayValidator {
    private GatewayValidator() {
    }

    static void validate(GatewaySpec spec, Findings f) {
        f.required("spec.gatewayClassName", spec.getGatewayClassName());
        if (spec.getAllowedListeners() != null && spec.getAllowedListeners().getNamespaces() != null) {
            ListenerNamespaces namespaces = spec.getAllowedListeners().getNamespaces();
            f.oneOf("spec.allowedListeners.namespaces.from", namespaces.getFrom(),
                    List.of("All", "Same", "Selector", "None"));
            if ("Selector".equals(namespaces.getFrom())) {
                f.required("spec.allowedListeners.namespaces.selector", namespaces.getSelector());
            }
        }
        listeners(spec.getListeners(), "Gateway", f);
    }

    static void validate(ListenerSetSpec spec, Findings f) {
        ParentGatewayReference parent = spec.getParentRef();
        if (f.required("spec.parentRef", parent)) {
            f.required("spec.parentRef.name", parent.getName());
        }
        listeners(spec.getListeners() == null ? null : spec.getListeners().stream()
                .map(e -> new Listener(e.getAllowedRoutes(), e.getHostname(), e.getName(), e.getPort(), e.getProtocol(),
                        e.getTls())).toList(), "ListenerSet", f);
    }

    private static void listeners(List<Listener> listeners, String kind, Findings f) {
        if (listeners == null || listeners.isEmpty()) {
            f.error("spec.listeners", "at least one listener is required");
            return;
        }
        f.maxItems("spec.listeners", listeners, 64);
        Set<String> names = new HashSet<>();
        Set<String> combinations = new HashSet<>();
        for (int i = 0; i < listeners.size(); i++) {
            Listener l = listeners.get(i);
            String field = "spec.listeners[" + i + "]";
            if (f.required(field + ".name", l.getName())) {
                f.matches(field + ".name", l.getName(), ApiFormats.SECTION_NAME, "section name");
                if (!names.add(l.getName())) {
                    f.error(field + ".name", "listener name " + l.getName() + " must be unique within the " + kind);
                }
            }
            if (f.required(field + ".port", l.getPort())) {
                f.port(field + ".port", l.getPort());
            }
            String protocol = l.getProtocol();
            if (f.required(field + ".protocol", protocol)) {
                f.matches(field + ".protocol", protocol, ApiFormats.PROTOCOL, "protocol");
            }
            hostname(field + ".hostname", l.getHostname(), f);
            if (l.getHostname() != null && ("TCP".equals(protocol) || "UDP".equals(protocol))) {
                f.error(field + ".hostname", "hostname must not be specified for protocols ['TCP', 'UDP']");
            }
            if (l.getTls() != null && ("HTTP".equals(protocol) || "TCP".equals(protocol) || "UDP".equals(protocol))) {
                f.error(field + ".tls", "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']");
            }
            if ("HTTPS".equals(protocol) && l.getTls() != null && l.getTls().getMode() != null
                    && !l.getTls().getMode().equals("Terminate")) {
                f.error(field + ".tls.mode", "tls mode must be Terminate for protocol HTTPS");
            }
            if (l.getTls() != null) {
                f.oneOf(field + ".tls.mode", l.getTls().getMode(), List.of("Terminate", "Passthrough"));
                if (l.getTls().getCertificateRefs() != null) {
                    for (int c = 0; c < l.getTls().getCertificateRefs().size(); c++) {
                        f.required(field + ".tls.certificateRefs[" + c + "].name",
                                l.getTls().getCertificateRefs().get(c).getName());
                    }
                }
            }
            if (!combinations.add(l.getPort() + "|" + protocol + "|" + (l.getHostname() == null ? "" : l.getHostname()))) {
                f.error(field, "combination of port, protocol and hostname must be unique for each listener");
            }
            if (l.getAllowedRoutes() != null && l.getAllowedRoutes().getNamespaces() != null) {
                f.oneOf(field + ".allowedRoutes.namespaces.from", l.getAllowedRoutes().getNamespaces().getFrom(),
                        List.of("All", "Same", "Selector"));
            }
            if (l.getAllowedRoutes() != null && l.getAllowedRoutes().getKinds() != null) {
                for (int k = 0; k < l.getAllowedRoutes().getKinds().size(); k++) {
                    f.required(field + ".allowedRoutes.kinds[" + k + "].kind", l.getAllowedRoutes().getKinds().get(k).getKind());
                }
            }
        }
    }

    static void hostname(String field, String hostname, Findings f) {
        if (hostname == null) {
            return;
        }
        if (hostname.length() > ApiFormats.MAX_HOSTNAME) {
            f.error(field, "hostname is longer than " + ApiFormats.MAX_HOSTNAME + " characters");
        }
        f.matches(field, hostname, ApiFormats.HOSTNAME, "hostname (lower-case DNS name, optionally starting with \"*.\")");
    }
}
