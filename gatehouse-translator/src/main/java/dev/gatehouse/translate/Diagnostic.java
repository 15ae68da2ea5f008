package dev.gatehouse.translate;

/**
 * A problem found while loading or translating, located as precisely as we can.
 *
 * @param severity ERROR rejects the whole config (the last good one keeps serving); WARNING is logged
 * @param file the file it came from, or {@code null}
 * @param document 1-based index of the YAML document in the file, or 0 when unknown
 * @param resource "Kind namespace/name", or {@code null}
 * @param field JSON-path-like field, e.g. {@code spec.rules[0].matches[1].path.value}, or {@code null}
 * @param message what is wrong, and what would be right
 */
public record Diagnostic(Severity severity, String file, int document, String resource, String field, String message) {
    public enum Severity { ERROR, WARNING }

    /** One line: {@code file#doc: Kind ns/name: field: message}. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (file != null) {
            b.append(file);
            if (document > 0) {
                b.append(" (document ").append(document).append(')');
            }
            b.append(": ");
        }
        if (resource != null) {
            b.append(resource).append(": ");
        }
        if (field != null) {
            b.append(field).append(": ");
        }
        return b.append(message).toString();
    }
}
