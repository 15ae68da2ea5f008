package dev.gatehouse.app.doctor;

/**
 * Gateway API hostname intersection, as the translator applies it: a leading "*." matches one or more
 * labels, so "*.example.com" accepts "a.example.com" and "*.a.example.com" but not "example.com".
 */
final class ListenerHostnames {
    private ListenerHostnames() {
    }

    /** @param listener lower case, {@code null} for any host @param route lower case */
    static boolean intersect(String listener, String route) {
        return listener == null || listener.equals(route) || covers(listener, route) || covers(route, listener);
    }

    private static boolean covers(String wildcard, String host) {
        if (!wildcard.startsWith("*.")) {
            return false;
        }
        String suffix = wildcard.substring(1);
        String h = host.startsWith("*.") ? host.substring(1) : host;
        return h.length() > suffix.length() && h.endsWith(suffix);
    }
}
