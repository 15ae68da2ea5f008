package dev.gatehouse.proxy.http;

import dev.gatehouse.routing.tls.ClientCertificateCheck;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;

import java.util.Locale;

/**
 * What the TLS handshake of a client connection settled that requests need: that the scheme is https, the
 * server name the client asked for (SNI), against which each request's host is checked (421 Misdirected Request),
 * and the client certificate that was verified, if any (X-Forwarded-Client-Cert). Set once per connection when
 * the handshake completes; h2 streams read their connection's.
 *
 * @param serverName the SNI name in lower case, or {@code null} when the client sent none
 * @param clientCertificate the client's verified certificate, or {@code null} (none asked for, none sent, or one
 *                          that failed validation on an {@code AllowInsecureFallback} listener)
 * @param clientCheck the client-certificate demand the handshake made, or {@code null} when it asked for none
 */
public record TlsSession(String serverName, ClientCertificate clientCertificate, ClientCertificateCheck clientCheck) {
    private static final AttributeKey<TlsSession> KEY = AttributeKey.valueOf(TlsSession.class, "session");

    /** Called by the frontend on the connection's loop when the handshake completed. */
    public static void attach(Channel connection, String serverName, ClientCertificate clientCertificate,
                              ClientCertificateCheck clientCheck) {
        connection.attr(KEY).set(new TlsSession(serverName == null ? null : serverName.toLowerCase(Locale.ROOT),
                clientCertificate, clientCheck));
    }

    /** @return the session of the connection {@code ch} belongs to, or {@code null} on a cleartext connection */
    static TlsSession of(Channel ch) {
        Channel connection = ch instanceof Http2StreamChannel ? ch.parent() : ch;
        return connection.hasAttr(KEY) ? connection.attr(KEY).get() : null;
    }
}
