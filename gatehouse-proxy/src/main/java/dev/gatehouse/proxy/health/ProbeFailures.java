package dev.gatehouse.proxy.health;

import dev.gatehouse.proxy.http.UpstreamErrors;
import io.netty.channel.ConnectTimeoutException;

import java.net.ConnectException;
import java.util.Locale;

/** Short, stable words for a failed probe, as they appear in logs and in the admin API's last error. */
final class ProbeFailures {
    private ProbeFailures() {
    }

    static String describe(Throwable cause) {
        if (cause instanceof javax.net.ssl.SSLException || cause.getCause() instanceof javax.net.ssl.SSLException) {
            return UpstreamErrors.describe(cause); // "TLS handshake failed: <the innermost reason>", as requests say
        }
        if (cause instanceof ConnectTimeoutException) {
            return "connect timeout";
        }
        String m = cause.getMessage();
        String lower = m == null ? "" : m.toLowerCase(Locale.ROOT);
        if (lower.contains("refused")) {
            return "connection refused";
        }
        if (lower.contains("unreachable")) {
            return "host unreachable";
        }
        if (cause instanceof ConnectException) {
            return "connect failed" + (m == null ? "" : ": " + m);
        }
        return cause.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
