package dev.gatehouse.edge.gate;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * {@code --allow-hosts}: exact names and leading wildcards. {@code *.example.com} matches any name below
 * example.com ({@code a.example.com}, {@code a.b.example.com}) but not example.com itself, as a Gateway listener's
 * wildcard hostname does. Matching walks the name's dot positions against two hash sets: no regex, nothing built
 * per connection but the suffix strings.
 */
public final class AllowedHosts {
    private final Set<String> exact = new HashSet<>();
    /** the wildcards without their {@code *}, e.g. {@code .example.com} */
    private final Set<String> suffixes = new HashSet<>();

    private AllowedHosts() {
    }

    /**
     * @param list the flag's value, comma separated
     * @throws IllegalArgumentException naming the flag and the entry that is not a host name or a leading wildcard
     */
    public static AllowedHosts parse(String list) {
        AllowedHosts out = new AllowedHosts();
        for (String raw : list.split(",", -1)) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            boolean wildcard = entry.startsWith("*.");
            String name = wildcard ? entry.substring(2) : entry;
            if (!isHostName(name)) {
                throw new IllegalArgumentException("--allow-hosts: '" + raw.trim() + "' is not a host name or a "
                        + "leading wildcard such as *.example.com");
            }
            (wildcard ? out.suffixes : out.exact).add(wildcard ? '.' + name : name);
        }
        return out;
    }

    /** @param host a name from SNI or a Host header (port already removed); any case, a trailing dot allowed */
    public boolean allows(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (exact.contains(h)) {
            return true;
        }
        for (int dot = h.indexOf('.'); dot > 0; dot = h.indexOf('.', dot + 1)) {
            if (suffixes.contains(h.substring(dot))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isHostName(String name) {
        if (name.isEmpty() || name.length() > 253 || name.startsWith(".") || name.endsWith(".")
                || name.contains("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }
}
