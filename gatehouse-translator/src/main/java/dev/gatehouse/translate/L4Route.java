package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;

import java.util.List;

/**
 * A TCPRoute, UDPRoute or TLSRoute of any served version (v1, v1alpha2, v1alpha3), reduced to what translation reads.
 * The versions share ParentReference and BackendRef but each has its own spec and rule classes, so this one
 * shape spares the translator a branch per version.
 *
 * @param kind "TCPRoute", "UDPRoute" or "TLSRoute"
 * @param hostnames the TLSRoute's SNI names as written; empty for TCPRoute and UDPRoute
 */
record L4Route(String kind, HasMetadata object, List<ParentReference> parentRefs, List<String> hostnames,
               List<Rule> rules) {
    static final String TCP_ROUTE = "TCPRoute";
    static final String TLS_ROUTE = "TLSRoute";
    static final String UDP_ROUTE = "UDPRoute";

    record Rule(String name, List<BackendRef> backendRefs) {
        Rule {
            backendRefs = backendRefs == null ? List.of() : List.copyOf(backendRefs);
        }
    }

    L4Route {
        parentRefs = parentRefs == null ? List.of() : List.copyOf(parentRefs);
        hostnames = hostnames == null ? List.of() : List.copyOf(hostnames);
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    /** @return the route, or {@code null} when {@code o} is not a TCPRoute, UDPRoute or TLSRoute */
    static L4Route of(HasMetadata o) {
        if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute r) {
            return r.getSpec() == null ? empty(TCP_ROUTE, o) : new L4Route(TCP_ROUTE, o, r.getSpec().getParentRefs(),
                    List.of(), rules(r.getSpec().getRules(), x -> new Rule(x.getName(), x.getBackendRefs())));
        }
        if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRoute r) {
            return r.getSpec() == null ? empty(TCP_ROUTE, o) : new L4Route(TCP_ROUTE, o, r.getSpec().getParentRefs(),
                    List.of(), rules(r.getSpec().getRules(), x -> new Rule(x.getName(), x.getBackendRefs())));
        }
        if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute r) {
            return r.getSpec() == null ? empty(UDP_ROUTE, o) : new L4Route(UDP_ROUTE, o, r.getSpec().getParentRefs(),
                    List.of(), rules(r.getSpec().getRules(), x -> new Rule(x.getName(), x.getBackendRefs())));
        }
        if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.UDPRoute r) {
            return r.getSpec() == null ? empty(UDP_ROUTE, o) : new L4Route(UDP_ROUTE, o, r.getSpec().getParentRefs(),
                    List.of(), rules(r.getSpec().getRules(), x -> new Rule(x.getName(), x.getBackendRefs())));
        }
        if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute r) {
            return r.getSpec() == null ? empty(TLS_ROUTE, o) : new L4Route(TLS_ROUTE, o, r.getSpec().getParentRefs(),
                    r.getSpec().getHostnames(), rules(r.getSpec().getRules(), x -> new Rule(x.getName(), x.getBackendRefs())));
        }
        if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute r) {
            return r.getSpec() == null ? empty(TLS_ROUTE, o) : new L4Route(TLS_ROUTE, o, r.getSpec().getParentRefs(),
                    r.getSpec().getHostnames(), rules(r.getSpec().getRules(), x -> new Rule(x.getName(), x.getBackendRefs())));
        }
        if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.TLSRoute r) {
            // v1alpha3 already uses the v1 rule class
            return r.getSpec() == null ? empty(TLS_ROUTE, o) : new L4Route(TLS_ROUTE, o, r.getSpec().getParentRefs(),
                    r.getSpec().getHostnames(), rules(r.getSpec().getRules(), x -> new Rule(x.getName(), x.getBackendRefs())));
        }
        return null;
    }

    private static L4Route empty(String kind, HasMetadata o) {
        return new L4Route(kind, o, List.of(), List.of(), List.of());
    }

    private static <T> List<Rule> rules(List<T> rules, java.util.function.Function<T, Rule> convert) {
        return rules == null ? List.of() : rules.stream().map(convert).toList();
    }
}
