package dev.gatehouse.proxy.http;

import dev.gatehouse.ir.ForwardClientCertSpec;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;

import java.util.List;

/**
 * {@code X-Forwarded-Client-Cert} on a request going upstream, by the port's mode (Envoy's
 * {@code forward_client_cert_details}, Envoy Gateway's {@code headers.xForwardedClientCert}). Without a policy the
 * mode is Sanitize: a backend can trust the header, because a client's own copy never passes unless a policy
 * says so, and only a certificate the gateway verified is ever described in it.
 */
public final class ForwardedClientCert {
    static final AsciiString X_FORWARDED_CLIENT_CERT = AsciiString.cached("x-forwarded-client-cert");
    private static final AttributeKey<ForwardClientCertSpec> KEY =
            AttributeKey.valueOf(ForwardedClientCert.class, "mode");

    private ForwardedClientCert() {
    }

    /** The port's setting for a connection accepted on it; ports without one sanitize. */
    public static void configure(Channel connection, ForwardClientCertSpec spec) {
        connection.attr(KEY).set(spec);
    }

    /** Whether {@link #apply} may add the header for a request from {@code connection} (it may always remove it). */
    static boolean mayAdd(Channel connection) {
        ForwardClientCertSpec spec = spec(connection);
        return spec != null && (spec.mode() == ForwardClientCertSpec.Mode.SANITIZE_SET
                || spec.mode() == ForwardClientCertSpec.Mode.APPEND_FORWARD);
    }

    /** @param connection the connection the request arrived on */
    static void apply(HttpHeaders headers, Channel connection) {
        ForwardClientCertSpec spec = spec(connection);
        ForwardClientCertSpec.Mode mode = spec == null ? ForwardClientCertSpec.Mode.SANITIZE : spec.mode();
        if (mode == ForwardClientCertSpec.Mode.ALWAYS_FORWARD_ONLY) {
            return;
        }
        TlsSession tls = TlsSession.of(connection);
        ClientCertificate cert = tls == null ? null : tls.clientCertificate();
        if (cert == null || mode == ForwardClientCertSpec.Mode.SANITIZE) {
            headers.remove(X_FORWARDED_CLIENT_CERT);
            return;
        }
        switch (mode) {
            case SANITIZE_SET -> headers.set(X_FORWARDED_CLIENT_CERT, cert.element(spec));
            case APPEND_FORWARD -> {
                List<String> sent = headers.getAll(X_FORWARDED_CLIENT_CERT);
                String element = cert.element(spec);
                headers.set(X_FORWARDED_CLIENT_CERT, sent.isEmpty() ? element : String.join(",", sent) + "," + element);
            }
            default -> {
                // FORWARD_ONLY over mTLS: the client's header as it came
            }
        }
    }

    /** The port's setting the connection was given, or null (sanitize). */
    private static ForwardClientCertSpec spec(Channel connection) {
        return connection.hasAttr(KEY) ? connection.attr(KEY).get() : null;
    }
}
