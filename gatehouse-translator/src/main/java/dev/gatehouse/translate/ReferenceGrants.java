package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantFrom;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantTo;

import java.util.List;
import java.util.Objects;

/** Whether a ReferenceGrant (v1beta1 or v1) in the target's namespace allows a cross-namespace reference. */
final class ReferenceGrants {
    static final String GATEWAY_GROUP = "gateway.networking.k8s.io";

    private final List<ResourceIndex.Grant> grants;

    ReferenceGrants(List<ResourceIndex.Grant> grants) {
        this.grants = grants;
    }

    /**
     * @param fromKind "HTTPRoute" or "Gateway" (group gateway.networking.k8s.io)
     * @param toKind "Service" or "Secret" (core group)
     */
    boolean permits(String fromKind, String fromNamespace, String toKind, String toNamespace, String toName) {
        return permits(GATEWAY_GROUP, fromKind, fromNamespace, toKind, toNamespace, toName);
    }

    /** @param fromGroup the referrer's group: our policies' is gatehouse.dev */
    boolean permits(String fromGroup, String fromKind, String fromNamespace, String toKind, String toNamespace,
                    String toName) {
        if (fromNamespace.equals(toNamespace)) {
            return true;
        }
        for (ResourceIndex.Grant g : grants) {
            if (!g.namespace().equals(toNamespace) || g.spec() == null) {
                continue;
            }
            boolean from = g.spec().getFrom() != null && g.spec().getFrom().stream().anyMatch(f -> matches(f, fromGroup, fromKind, fromNamespace));
            boolean to = g.spec().getTo() != null && g.spec().getTo().stream().anyMatch(t -> matches(t, toKind, toName));
            if (from && to) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(ReferenceGrantFrom f, String group, String kind, String namespace) {
        return group.equals(f.getGroup()) && kind.equals(f.getKind()) && namespace.equals(f.getNamespace());
    }

    private static boolean matches(ReferenceGrantTo t, String kind, String name) {
        String group = t.getGroup() == null ? "" : t.getGroup();
        return group.isEmpty() && kind.equals(t.getKind())
                && (t.getName() == null || t.getName().isEmpty() || Objects.equals(t.getName(), name));
    }
}
