package dev.gatehouse.ir;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints records, lists, maps and scalars as deterministic YAML: record components in declaration
 * order, maps sorted by key, {@code null} components left out. Golden files and the admin
 * {@code /config} endpoint use the same printer, so what a test pins is what an operator sees.
 * Private keys are never printed.
 */
public final class SnapshotPrinter {
    private SnapshotPrinter() {
    }

    public static String print(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0, false);
        if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, int indent, boolean inline) {
        if (value instanceof Record record) {
            writeRecord(out, record, indent, inline);
        } else if (value instanceof java.util.Set<?> set && !(set instanceof java.util.SortedSet<?>)) {
            // Set.copyOf iterates in a per-JVM random order: sorted, the output stays the same run to run
            write(out, set.stream().sorted(java.util.Comparator.comparing(String::valueOf)).toList(), indent, inline);
        } else if (value instanceof Collection<?> list) {
            if (list.isEmpty()) {
                out.append(inline ? " []\n" : "[]\n");
                return;
            }
            if (inline) {
                out.append('\n');
            }
            for (Object item : list) {
                pad(out, indent).append("-");
                if (item instanceof Record || item instanceof Map<?, ?>) {
                    out.append(' ');
                    write(out, item, indent + 2, false);
                } else if (item instanceof Collection<?>) {
                    write(out, item, indent + 2, true);
                } else {
                    out.append(' ').append(scalar(item)).append('\n');
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append(inline ? " {}\n" : "{}\n");
                return;
            }
            if (inline) {
                out.append('\n');
            }
            boolean first = true;
            for (Map.Entry<String, Object> e : sorted(map).entrySet()) {
                writeField(out, e.getKey(), e.getValue(), indent, first && !inline);
                first = false;
            }
        } else {
            out.append(inline ? " " : "").append(scalar(value)).append('\n');
        }
    }

    private static void writeRecord(StringBuilder out, Record record, int indent, boolean inline) {
        if (record instanceof TlsSpec.CertificateSpec cert) {
            // Certificates print as the Secret they came from; keys must not reach logs or /config.
            if (inline) {
                out.append('\n');
            }
            writeField(out, "secret", cert.secret(), indent, !inline);
            return;
        }
        if (record instanceof OidcSpec.Credentials c) {
            // the client secret and cookie key print as the Secrets they came from, like certificates
            if (inline) {
                out.append('\n');
            }
            writeField(out, "source", c.source(), indent, !inline);
            return;
        }
        if (record instanceof UpstreamTlsSpec.TrustedCa ca) {
            // a CA bundle is long and public: the source says which it is
            if (inline) {
                out.append('\n');
            }
            writeField(out, "source", ca.source(), indent, !inline);
            return;
        }
        if (record instanceof JwtSpec.LocalJwks jwks) {
            // an HMAC key in a JWKS is a secret: the source says which it is
            if (inline) {
                out.append('\n');
            }
            writeField(out, "source", jwks.source(), indent, !inline);
            return;
        }
        RecordComponent[] components = record.getClass().getRecordComponents();
        java.util.List<Object[]> fields = new java.util.ArrayList<>(components.length + 1);
        if (record instanceof FilterSpec) {
            // Variants of a sealed type print their kind first, or RequestHeaderModifier and
            // ResponseHeaderModifier would read the same.
            String kind = record.getClass().getSimpleName();
            fields.add(new Object[] {"type", kind.endsWith("Spec") ? kind.substring(0, kind.length() - 4) : kind});
        }
        for (RecordComponent c : components) {
            Object v;
            try {
                v = c.getAccessor().invoke(record);
            } catch (ReflectiveOperationException ex) {
                throw new IllegalStateException(ex);
            }
            if (v != null && !(record instanceof ClientValidationSpec && c.getName().equals("caCertificatesPem"))) {
                // (CA bundles print as the references they came from, like certificates)
                fields.add(new Object[] {c.getName(), v});
            }
        }
        if (fields.isEmpty()) {
            out.append(inline ? " {}\n" : "{}\n");
            return;
        }
        if (inline) {
            out.append('\n');
        }
        boolean first = !inline;
        for (Object[] f : fields) {
            writeField(out, (String) f[0], f[1], indent, first);
            first = false;
        }
    }

    private static void writeField(StringBuilder out, String key, Object v, int indent, boolean firstOnLine) {
        if (!firstOnLine) {
            pad(out, indent);
        }
        out.append(key).append(':');
        if (v instanceof Record || v instanceof Collection<?> || v instanceof Map<?, ?>) {
            write(out, v, indent + 2, true);
        } else {
            out.append(' ').append(scalar(v)).append('\n');
        }
    }

    private static TreeMap<String, Object> sorted(Map<?, ?> map) {
        TreeMap<String, Object> t = new TreeMap<>();
        map.forEach((k, v) -> t.put(String.valueOf(k), v));
        return t;
    }

    private static StringBuilder pad(StringBuilder out, int indent) {
        return out.append(" ".repeat(indent));
    }

    static String scalar(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        if (v instanceof byte[] bytes) {
            return "base64:" + java.util.Base64.getEncoder().encodeToString(bytes);
        }
        String s = v.toString();
        if (s.isEmpty() || needsQuotes(s)) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
        }
        return s;
    }

    private static boolean needsQuotes(String s) {
        char c0 = s.charAt(0);
        if ("-?:,[]{}#&*!|>'\"%@` ".indexOf(c0) >= 0 || s.endsWith(" ")) {
            return true;
        }
        if (s.equals("true") || s.equals("false") || s.equals("null") || s.equals("~")) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '#' && i > 0 && s.charAt(i - 1) == ' ' || c == ':' && (i + 1 == s.length() || s.charAt(i + 1) == ' ')) {
                return true;
            }
        }
        return !s.isEmpty() && (Character.isDigit(c0) || c0 == '.') && looksNumeric(s);
    }

    private static boolean looksNumeric(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
