package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.upstream.UpstreamStreamReset;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.NetUtil;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.net.InetSocketAddress;

/** Short, stable words for upstream failures in the gateway's 502 bodies and logs. */
public final class UpstreamErrors {
    private UpstreamErrors() {
    }

    public static String describe(Throwable cause) {
        if (cause instanceof UpstreamStreamReset) {
            return cause.getMessage(); // says which h2 error code
        }
        if (tls(cause)) {
            // the innermost cause says why ("unable to find valid certification path", "No subject alternative
            // DNS name matching ..."); the outer ones repeat it or only say that the handshake failed
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return "TLS handshake failed: " + (root.getMessage() == null ? root.getClass().getSimpleName()
                    : root.getMessage());
        }
        if (cause instanceof ConnectTimeoutException) {
            return "connect timeout";
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        if (cause instanceof PrematureChannelClosureException) {
            return "connection closed before response";
        }
        String m = cause.getMessage();
        if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("reset")) {
            return "connection reset";
        }
        if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("refused")) {
            return "connection refused";
        }
        return cause.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static boolean tls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException || t instanceof SslHandshakeTimeoutException) {
                return true;
            }
        }
        return false;
    }

    static String address(InetSocketAddress a) {
        return a == null ? "?" : NetUtil.toSocketAddressString(a);
    }
}
