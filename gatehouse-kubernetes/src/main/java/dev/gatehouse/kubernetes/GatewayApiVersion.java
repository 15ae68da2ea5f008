package dev.gatehouse.kubernetes;

import dev.gatehouse.translate.Condition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The GatewayClass's {@code SupportedVersion} condition: whether the Gateway API CRDs installed in the cluster
 * (their {@code gateway.networking.k8s.io/bundle-version} annotation, read from the Gateway CRD) are a release
 * we support. Only controller mode knows the cluster's CRDs, so the condition is added here, not by the
 * translator. A development build of the CRDs ({@code v0.0.0-dev}, what upstream's HEAD carries) counts as
 * supported: it is newer than any release.
 */
final class GatewayApiVersion {
    private static final Logger log = LoggerFactory.getLogger(GatewayApiVersion.class);
    static final String ANNOTATION = "gateway.networking.k8s.io/bundle-version";
    static final String CRD = "gateways.gateway.networking.k8s.io";
    /** Gateway API v1.5 made ListenerSet and TLSRoute v1 Standard: the oldest release whose resources we read. */
    static final int[] MINIMUM = {1, 5, 0};

    private GatewayApiVersion() {
    }

    /** @return the condition, or null when the CRD cannot be read (no permission): then nothing is claimed */
    static Condition check(KubernetesClient client) {
        CustomResourceDefinition crd;
        try {
            crd = client.apiextensions().v1().customResourceDefinitions().withName(CRD).get();
        } catch (KubernetesClientException e) {
            log.debug("cannot read CRD {}: {}", CRD, e.getMessage());
            return null;
        }
        Map<String, String> annotations = crd == null ? null : crd.getMetadata().getAnnotations();
        return of(annotations == null ? null : annotations.get(ANNOTATION));
    }

    static Condition of(String bundleVersion) {
        String minimum = "v" + MINIMUM[0] + "." + MINIMUM[1] + "." + MINIMUM[2];
        if (bundleVersion == null) {
            return new Condition("SupportedVersion", "False", "UnsupportedVersion", "the Gateway CRD has no "
                    + ANNOTATION + " annotation: install the CRDs of a Gateway API release, " + minimum + " or newer");
        }
        int[] v = parse(bundleVersion);
        boolean dev = v != null && v[0] == 0 && v[1] == 0 && v[2] == 0 && bundleVersion.contains("-dev");
        if (v != null && (dev || compare(v, MINIMUM) >= 0)) {
            return new Condition("SupportedVersion", "True", "SupportedVersion",
                    "Gateway API " + bundleVersion + " is supported");
        }
        return new Condition("SupportedVersion", "False", "UnsupportedVersion", "Gateway API " + bundleVersion
                + " is not supported: install " + minimum + " or newer (kubectl apply --server-side -f "
                + "standard-install.yaml of that release)");
    }

    /** "v1.6.1", "v1.5.0-rc.1", "v0.0.0-dev" -> {major, minor, patch}; null if it is not such a version. */
    private static int[] parse(String version) {
        String s = version.startsWith("v") ? version.substring(1) : version;
        int dash = s.indexOf('-');
        String[] parts = (dash < 0 ? s : s.substring(0, dash)).split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
