package dev.gatehouse.translate.validate;

import dev.gatehouse.translate.Diagnostic;
import dev.gatehouse.translate.ResourceSet;

import java.util.List;

/** Collects the errors of one resource, each located by its entry's file and document. */
final class Findings {
    private final ResourceSet.Entry entry;
    private final String resource;
    private final List<Diagnostic> out;

    Findings(ResourceSet.Entry entry, String resource, List<Diagnostic> out) {
        this.entry = entry;
        this.resource = resource;
        this.out = out;
    }

    void error(String field, String message) {
        out.add(new Diagnostic(Diagnostic.Severity.ERROR, entry.file(), entry.document(), resource, field, message));
    }

    /** Reports {@code field} when {@code value} is null or empty. */
    boolean required(String field, Object value) {
        if (value == null || value instanceof String s && s.isEmpty()) {
            error(field, "required field is missing");
            return false;
        }
        return true;
    }

    /** The CRDs' {@code maxItems}. */
    void maxItems(String field, java.util.Collection<?> items, int max) {
        if (items != null && items.size() > max) {
            error(field, "must have at most " + max + " items, has " + items.size());
        }
    }

    void port(String field, Integer port) {
        if (port != null && (port < 1 || port > 65535)) {
            error(field, "port " + port + " is outside 1..65535");
        }
    }

    void oneOf(String field, String value, List<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            error(field, "unsupported value \"" + value + "\": must be one of " + String.join(", ", allowed));
        }
    }

    void matches(String field, String value, java.util.regex.Pattern pattern, String what) {
        if (value != null && !pattern.matcher(value).matches()) {
            error(field, "\"" + value + "\" is not a valid " + what);
        }
    }
}
