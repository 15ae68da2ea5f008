package dev.gatehouse.translate;

import dev.gatehouse.ir.FilterSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Our own filter resource, {@code gatehouse.dev/v1alpha1 RequestTermination}: a fixed status, headers and
 * body the gateway answers itself, referenced from an HTTPRoute rule as an {@code ExtensionRef} filter. It is
 * read as a fabric8 {@link GenericKubernetesResource} (no generated POJO for an API this small) and checked by
 * {@code validate.RequestTerminationValidator} before translation, so this parse can be lenient.
 *
 * @param statusCode 200..599
 * @param headers added to the response as given
 * @param body UTF-8 text, "" for none
 */
record RequestTermination(int statusCode, List<FilterSpec.HeaderSpec> headers, String body) {
    static final String GROUP = "gatehouse.dev";
    static final String KIND = "RequestTermination";

    RequestTermination {
        headers = List.copyOf(headers);
    }

    static boolean is(Object o) {
        return o instanceof GenericKubernetesResource g && KIND.equals(g.getKind())
                && g.getApiVersion() != null && g.getApiVersion().startsWith(GROUP + "/");
    }

    static RequestTermination of(GenericKubernetesResource resource) {
        Object spec = resource.getAdditionalProperties().get("spec");
        Map<?, ?> s = spec instanceof Map<?, ?> m ? m : Map.of();
        int status = s.get("statusCode") instanceof Number n ? n.intValue() : 500;
        List<FilterSpec.HeaderSpec> headers = new ArrayList<>();
        if (s.get("headers") instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> h) {
                    headers.add(new FilterSpec.HeaderSpec(String.valueOf(h.get("name")), String.valueOf(h.get("value"))));
                }
            }
        }
        Object body = s.get("body");
        return new RequestTermination(status, headers, body == null ? "" : body.toString());
    }

    FilterSpec.DirectResponseSpec toSpec() {
        return new FilterSpec.DirectResponseSpec(statusCode, headers, body);
    }
}
