package dev.gatehouse.translate.validate;

import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.ObjectMemo;
import dev.gatehouse.translate.ResourceSet;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantFrom;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantTo;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Entry point: validates every Gateway, ListenerSet, HTTPRoute, GRPCRoute and ReferenceGrant (v1 and v1beta1) and our own
 * gatehouse.dev kinds of a resource set
 * as the API server would on admission.
 */
public final class SchemaValidator {
    private SchemaValidator() {
    }

    /** One object's diagnostics, located at the entry (file and document) it was validated from. */
    public record Validated(String file, int document, List<Diagnostic> diagnostics) { }

    public static List<Diagnostic> validate(ResourceSet resources) {
        return validate(resources, null);
    }

    /**
     * @param memo the previous translation's results, or {@code null}: an object is validated on its own, so an
     *             unchanged one (the same instance, at the same place) has the same diagnostics as before
     */
    public static List<Diagnostic> validate(ResourceSet resources, ObjectMemo.Round<HasMetadata, Validated> memo) {
        List<Diagnostic> out = new ArrayList<>();
        for (ResourceSet.Entry e : resources.entries()) {
            Validated v = memo == null ? null : memo.get(e.object(), o -> validate(e));
            if (v == null || !Objects.equals(v.file(), e.file()) || v.document() != e.document()) {
                v = validate(e);
            }
            out.addAll(v.diagnostics());
        }
        return out;
    }

    private static Validated validate(ResourceSet.Entry e) {
        List<Diagnostic> out = new ArrayList<>();
        HasMetadata o = e.object();
        Findings findings = new Findings(e, o.getKind() + " " + name(o), out);
        if (o instanceof Gateway g) {
            gateway(g.getSpec(), findings);
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.Gateway g) {
            gateway(g.getSpec(), findings);
        } else if (o instanceof ListenerSet s) {
            if (findings.required("spec", s.getSpec())) {
                GatewayValidator.validate(s.getSpec(), findings);
            }
        } else if (o instanceof HTTPRoute r) {
            route(r.getSpec(), findings);
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.HTTPRoute r) {
            route(r.getSpec(), findings);
        } else if (o instanceof GRPCRoute r) {
            if (findings.required("spec", r.getSpec())) {
                GrpcRouteValidator.validate(r.getSpec(), findings);
            }
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant g) {
            grant(g.getSpec(), findings);
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant g) {
            grant(g.getSpec(), findings);
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy p) {
            BackendTlsPolicyValidator.validate(p.getSpec(), findings);
        } else if (o instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.BackendTLSPolicy p) {
            BackendTlsPolicyValidator.validate(p.getSpec(), findings);
        } else if (o instanceof GenericKubernetesResource g && "RequestTermination".equals(g.getKind())) {
            RequestTerminationValidator.validate(g, findings);
        }
        return new Validated(e.file(), e.document(), List.copyOf(out));
    }

    private static void gateway(GatewaySpec spec, Findings findings) {
        if (findings.required("spec", spec)) {
            GatewayValidator.validate(spec, findings);
        }
    }

    private static void route(HTTPRouteSpec spec, Findings findings) {
        if (findings.required("spec", spec)) {
            HttpRouteValidator.validate(spec, findings);
        }
    }

    private static void grant(ReferenceGrantSpec spec, Findings f) {
        if (!f.required("spec", spec)) {
            return;
        }
        if (spec.getFrom() == null || spec.getFrom().isEmpty()) {
            f.error("spec.from", "at least one entry is required");
        } else {
            for (int i = 0; i < spec.getFrom().size(); i++) {
                ReferenceGrantFrom from = spec.getFrom().get(i);
                f.required("spec.from[" + i + "].group", from.getGroup() == null ? null : "set");
                f.required("spec.from[" + i + "].kind", from.getKind());
                f.required("spec.from[" + i + "].namespace", from.getNamespace());
            }
        }
        if (spec.getTo() == null || spec.getTo().isEmpty()) {
            f.error("spec.to", "at least one entry is required");
        } else {
            for (int i = 0; i < spec.getTo().size(); i++) {
                ReferenceGrantTo to = spec.getTo().get(i);
                f.required("spec.to[" + i + "].group", to.getGroup() == null ? null : "set");
                f.required("spec.to[" + i + "].kind", to.getKind());
            }
        }
    }

    private static String name(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        return (ns == null || ns.isEmpty() ? "default" : ns) + "/" + o.getMetadata().getName();
    }
}
