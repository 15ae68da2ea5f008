package dev.gatehouse.translate;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.util.Locale;
import java.util.Map;

/**
 * Why a GatewayClass's controllerName is not ours, in words that lead to the fix: a near miss gets "did you
 * mean", another implementation's name (pasted from its docs when moving to gatehouse) is named as such.
 */
final class ControllerNames {
    /** the domain of a controllerName -> the implementation that owns it */
    private static final Map<String, String> KNOWN = Map.of(
            "konghq.com", "Kong",
            "gateway.envoyproxy.io", "Envoy Gateway",
            "gateway.nginx.org", "NGINX Gateway Fabric",
            "istio.io", "Istio",
            "projectcontour.io", "Contour",
            "io.cilium", "Cilium",
            "traefik.io", "Traefik");

    private ControllerNames() {
    }

    static String notOurs(String actual, String ours) {
        if (actual == null || actual.isEmpty()) {
            return "spec.controllerName is empty; gatehouse serves GatewayClasses whose controllerName is " + ours;
        }
        String owner = KNOWN.get(actual.substring(0, Math.max(0, actual.indexOf('/'))));
        if (owner != null) {
            return "controllerName " + actual + " is " + owner + "'s controller name; gatehouse serves GatewayClasses "
                    + "whose controllerName is " + ours + ", so Gateways of this class are not served";
        }
        String served = "Gateways of this class are not served";
        if (near(actual, ours)) {
            return "controllerName " + actual + " is not gatehouse's (" + ours + "): did you mean " + ours + "? " + served;
        }
        return "controllerName " + actual + " is not gatehouse's (" + ours + "); " + served
                + " (they are left to the controller named " + actual + ")";
    }

    /** A typo or a guess: a few edits away, or naming gatehouse. */
    private static boolean near(String actual, String ours) {
        String a = actual.toLowerCase(Locale.ROOT);
        int limit = Math.max(3, ours.length() / 4);
        return LevenshteinDistance.getDefaultInstance().apply(a, ours.toLowerCase(Locale.ROOT)) <= limit
                || a.contains("gatehouse");
    }
}
