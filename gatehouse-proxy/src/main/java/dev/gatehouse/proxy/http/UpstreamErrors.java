package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.upstream.UpstreamStreamReset;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.util.NetUtil;

import java.net.ConnectException;
import java.net.InetSocketAddress;

/** Short, stable words for upstream failures in the gateway's 502 bodies and logs. */
final class UpstreamErrors {
    private UpstreamErrors() {
    }

    static String describe(Throwable cause) {
        if (cause instanceof UpstreamStreamReset) {
            return cause.getMessage(); // says which h2 error code
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

    static String address(InetSocketAddress a) {
        return a == null ? "?" : NetUtil.toSocketAddressString(a);
    }
}
