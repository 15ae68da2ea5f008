package dev.gatehouse.translate.validate;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The openAPIV3Schema of {@code deploy/crds/gatehouse.dev_requestterminations.yaml}, applied in standalone mode
 * where no API server does it: statusCode 200..599, header names are tokens and values have no control
 * characters (a CR/LF would split the response), framing and hop-by-hop headers are ours to set, and no
 * field outside the schema (a misspelt field must not be silently ignored).
 */
final class RequestTerminationValidator {
    static final int MAX_HEADERS = 16;
    static final int MAX_BODY = 4096;
    private static final Set<String> SPEC_FIELDS = Set.of("statusCode", "headers", "body");
    private static final Set<String> HEADER_FIELDS = Set.of("name", "value");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,256}");
    private static final Set<String> RESERVED = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "upgrade", "trailer", "te", "proxy-connection");

    private RequestTerminationValidator() {
    }

    static void validate(GenericKubernetesResource resource, Findings f) {
        Map<String, Object> top = resource.getAdditionalProperties();
        for (String key : top.keySet()) {
            if (!"spec".equals(key) && !"status".equals(key)) {
                f.error(key, "unknown field");
            }
        }
        Object spec = top.get("spec");
        if (!f.required("spec", spec)) {
            return;
        }
        if (!(spec instanceof Map<?, ?> s)) {
            f.error("spec", "must be an object");
            return;
        }
        for (Object key : s.keySet()) {
            if (!SPEC_FIELDS.contains(String.valueOf(key))) {
                f.error("spec." + key, "unknown field");
            }
        }
        Object status = s.get("statusCode");
        if (f.required("spec.statusCode", status)) {
            if (!(status instanceof Integer code)) {
                f.error("spec.statusCode", "must be an integer");
            } else if (code < 200 || code > 599) {
                f.error("spec.statusCode", "status " + code + " is outside 200..599");
            }
        }
        Object body = s.get("body");
        if (body != null && !(body instanceof String)) {
            f.error("spec.body", "must be a string");
        } else if (body != null && ((String) body).getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BODY) {
            f.error("spec.body", "must be at most " + MAX_BODY + " bytes");
        }
        Object headers = s.get("headers");
        if (headers == null) {
            return;
        }
        if (!(headers instanceof List<?> list)) {
            f.error("spec.headers", "must be a list");
            return;
        }
        f.maxItems("spec.headers", list, MAX_HEADERS);
        for (int i = 0; i < list.size(); i++) {
            header(list.get(i), "spec.headers[" + i + "]", f);
        }
    }

    private static void header(Object item, String at, Findings f) {
        if (!(item instanceof Map<?, ?> h)) {
            f.error(at, "must be an object with name and value");
            return;
        }
        for (Object key : h.keySet()) {
            if (!HEADER_FIELDS.contains(String.valueOf(key))) {
                f.error(at + "." + key, "unknown field");
            }
        }
        Object name = h.get("name");
        if (f.required(at + ".name", name)) {
            if (!(name instanceof String n) || !TOKEN.matcher(n).matches()) {
                f.error(at + ".name", "\"" + name + "\" is not a valid header name");
            } else if (RESERVED.contains(n.toLowerCase(java.util.Locale.ROOT))) {
                f.error(at + ".name", "\"" + n + "\" frames or scopes the message and is set by the gateway");
            }
        }
        Object value = h.get("value");
        if (value == null) {
            f.error(at + ".value", "required field is missing");
        } else if (!(value instanceof String v)) {
            f.error(at + ".value", "must be a string");
        } else {
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f || c > 0xff) {
                    f.error(at + ".value", "has an invalid character at " + i + " (control or non-Latin-1)");
                    break;
                }
            }
        }
    }
}
