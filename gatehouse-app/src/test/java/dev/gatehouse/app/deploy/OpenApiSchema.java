package dev.gatehouse.app.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a resource against a CRD version's openAPIV3Schema as the API server's structural validation does: types,
 * required fields, unknown fields (rejected unless the schema preserves them: kubectl's strict field validation),
 * enums, patterns, lengths, bounds, item and property counts, and the anyOf/oneOf/allOf constraints the
 * Gateway API uses. CEL rules (x-kubernetes-validations) are not evaluated: no Java CEL runtime is on hand.
 */
final class OpenApiSchema {
    private final Map<String, Pattern> patterns = new HashMap<>();

    /** Every violation, each naming the field's path; empty when the object is valid. */
    List<String> violations(JsonNode object, JsonNode schema) {
        List<String> out = new ArrayList<>();
        check(object, schema, "", true, out);
        return out;
    }

    private void check(JsonNode value, JsonNode schema, String path, boolean structural, List<String> out) {
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false) && schema.has("type")) {
                out.add(path + ": null is not allowed");
            }
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                out.add(path + ": expected an integer or a string, got " + value.getNodeType());
            }
        } else if (schema.has("type") && !typeMatches(value, schema.get("type").asText())) {
            out.add(path + ": expected " + schema.get("type").asText() + ", got " + value.getNodeType());
            return;
        }
        if (schema.has("enum") && !contains(schema.get("enum"), value)) {
            out.add(path + ": " + value + " is not one of " + schema.get("enum"));
        }
        if (value.isTextual()) {
            text(value.asText(), schema, path, out);
        } else if (value.isNumber()) {
            if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
                out.add(path + ": " + value + " is below the minimum " + schema.get("minimum"));
            }
            if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
                out.add(path + ": " + value + " is above the maximum " + schema.get("maximum"));
            }
        } else if (value.isArray()) {
            count(value.size(), schema, "minItems", "maxItems", path, out);
            if (schema.has("items")) {
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), schema.get("items"), path + "[" + i + "]", structural, out);
                }
            }
        } else if (value.isObject()) {
            object(value, schema, path, structural, out);
        }
        combinations(value, schema, path, out);
    }

    private void object(JsonNode value, JsonNode schema, String path, boolean structural, List<String> out) {
        count(value.size(), schema, "minProperties", "maxProperties", path, out);
        for (JsonNode required : schema.path("required")) {
            if (!value.has(required.asText())) {
                out.add(path + ": required field " + required.asText() + " is missing");
            }
        }
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String at = path + "." + field.getKey();
            if (properties.has(field.getKey())) {
                check(field.getValue(), properties.get(field.getKey()), at, structural, out);
            } else if (additional.isObject()) {
                check(field.getValue(), additional, at, structural, out);
            } else if (structural && !preserve && !additional.asBoolean(false)) {
                out.add(at + ": unknown field");
            }
        }
    }

    /** Branches only constrain (required fields, values): their schemas list no types, so fields are not unknown there. */
    private void combinations(JsonNode value, JsonNode schema, String path, List<String> out) {
        for (JsonNode branch : schema.path("allOf")) {
            check(value, branch, path, false, out);
        }
        if (schema.has("anyOf") && matching(value, schema.get("anyOf"), path) == 0) {
            out.add(path + ": matches none of anyOf " + schema.get("anyOf"));
        }
        if (schema.has("oneOf") && matching(value, schema.get("oneOf"), path) != 1) {
            out.add(path + ": does not match exactly one of oneOf " + schema.get("oneOf"));
        }
        if (schema.has("not") && matching(value, List.of(schema.get("not")), path) == 1) {
            out.add(path + ": matches the schema under not " + schema.get("not"));
        }
    }

    private int matching(JsonNode value, Iterable<JsonNode> branches, String path) {
        int n = 0;
        for (JsonNode branch : branches) {
            List<String> errors = new ArrayList<>();
            check(value, branch, path, false, errors);
            n += errors.isEmpty() ? 1 : 0;
        }
        return n;
    }

    private void text(String s, JsonNode schema, String path, List<String> out) {
        count(s.codePointCount(0, s.length()), schema, "minLength", "maxLength", path, out);
        if (schema.has("pattern")) {
            // CRD patterns are ECMA-262; the ones the Gateway API uses mean the same in java.util.regex (test only).
            Pattern p = patterns.computeIfAbsent(schema.get("pattern").asText(), Pattern::compile);
            if (!p.matcher(s).find()) {
                out.add(path + ": '" + s + "' does not match " + p.pattern());
            }
        }
    }

    private static void count(int n, JsonNode schema, String min, String max, String path, List<String> out) {
        if (schema.has(min) && n < schema.get(min).asInt()) {
            out.add(path + ": " + n + " is fewer than " + min + " " + schema.get(min).asInt());
        }
        if (schema.has(max) && n > schema.get(max).asInt()) {
            out.add(path + ": " + n + " is more than " + max + " " + schema.get(max).asInt());
        }
    }

    private static boolean typeMatches(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> false;
        };
    }

    private static boolean contains(JsonNode values, JsonNode value) {
        for (JsonNode v : values) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
