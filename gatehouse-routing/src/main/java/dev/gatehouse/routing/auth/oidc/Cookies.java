package dev.gatehouse.routing.auth.oidc;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.List;
import java.util.StringJoiner;
import java.util.function.Predicate;

/** Reading one cookie from a request, and hiding ours from the upstream, without decoding every cookie. */
final class Cookies {
    private Cookies() {
    }

    /** @return the value of the first cookie called {@code name} in the request's Cookie headers, or {@code null} */
    static String value(HttpHeaders headers, String name) {
        for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
            int from = 0;
            int at;
            while ((at = header.indexOf(name, from)) >= 0) {
                int eq = at + name.length();
                boolean starts = at == 0 || header.charAt(at - 1) == ' ' || header.charAt(at - 1) == ';';
                if (starts && eq < header.length() && header.charAt(eq) == '=') {
                    int end = header.indexOf(';', eq);
                    return header.substring(eq + 1, end < 0 ? header.length() : end).trim();
                }
                from = eq;
            }
        }
        return null;
    }

    /** Removes the cookies whose name {@code ours} accepts (the session stays between the browser and us). */
    static void remove(HttpHeaders headers, Predicate<String> ours) {
        List<String> all = headers.getAll(HttpHeaderNames.COOKIE);
        if (all.isEmpty()) {
            return;
        }
        StringJoiner kept = new StringJoiner("; ");
        for (String header : all) {
            for (String pair : header.split(";")) {
                String p = pair.trim();
                int eq = p.indexOf('=');
                if (!p.isEmpty() && !ours.test(eq < 0 ? p : p.substring(0, eq))) {
                    kept.add(p);
                }
            }
        }
        headers.remove(HttpHeaderNames.COOKIE);
        if (kept.length() > 0) {
            headers.set(HttpHeaderNames.COOKIE, kept.toString());
        }
    }
}
