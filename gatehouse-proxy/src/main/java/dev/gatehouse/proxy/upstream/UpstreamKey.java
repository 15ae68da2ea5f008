package dev.gatehouse.proxy.upstream;

import dev.gatehouse.ir.BackendProtocol;

import java.net.InetSocketAddress;

/**
 * What makes two upstream connections interchangeable, and so the key of an event loop's pool: the endpoint, the
 * protocol spoken to it and the TLS identity used for it.
 *
 * @param tlsIdentity an immutable value (equals and hashCode by content) standing for the TLS settings of the
 *                    connection: trust, server name, client certificate; {@code null} for cleartext
 */
public record UpstreamKey(InetSocketAddress endpoint, BackendProtocol protocol, Object tlsIdentity) {

    /** A cleartext HTTP/1.1 connection to {@code endpoint}. */
    public static UpstreamKey http1(InetSocketAddress endpoint) {
        return new UpstreamKey(endpoint, BackendProtocol.HTTP_1_1, null);
    }
}
