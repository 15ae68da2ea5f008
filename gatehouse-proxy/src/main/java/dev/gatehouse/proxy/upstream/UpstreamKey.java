package dev.gatehouse.proxy.upstream;

import dev.gatehouse.ir.BackendProtocol;
import dev.gatehouse.routing.tls.UpstreamTls;

import java.net.InetSocketAddress;

/**
 * What makes two upstream connections interchangeable, and so the key of an event loop's pool: the endpoint, the
 * protocol spoken to it and the TLS identity used for it.
 *
 * @param tlsIdentity the cluster's BackendTLSPolicy (trust, server name, client certificate; equal by spec, so
 *                    clusters of one policy share connections), or {@code null} for cleartext
 */
public record UpstreamKey(InetSocketAddress endpoint, BackendProtocol protocol, UpstreamTls tlsIdentity) {

    /** A cleartext HTTP/1.1 connection to {@code endpoint}. */
    public static UpstreamKey http1(InetSocketAddress endpoint) {
        return new UpstreamKey(endpoint, BackendProtocol.HTTP_1_1, null);
    }
}
