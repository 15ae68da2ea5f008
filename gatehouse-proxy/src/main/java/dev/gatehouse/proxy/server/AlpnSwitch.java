package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.http.ClientCertificate;
import dev.gatehouse.proxy.http.TlsSession;
import dev.gatehouse.routing.tls.ClientCertificateCheck;
import dev.gatehouse.routing.tls.PortCertificates;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Sits behind the {@code SniHandler} of a TLS connection until the handshake completes, then puts the frontend the
 * client chose by ALPN in its place: the h2 stack for "h2", the HTTP/1.1 codec otherwise (a client without ALPN
 * speaks HTTP/1.1). It also records the SNI name for the requests' 421 check ({@link TlsSession}). No h2c over TLS:
 * RFC 9113 3.2 reserves the upgrade for cleartext.
 */
final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AlpnSwitch.class);

    private final ChannelHandler http1;
    private final ChannelHandler http2;
    private final SniHandler sni;
    private final PortCertificates certificates;
    private String serverName;

    /**
     * @param http1 the HTTP/1.1 codec
     * @param http2 an initializer that installs the h2 stack (and removes the connection's HTTP/1.1 proxy handler)
     * @param sni the connection's SNI handler, which knows the context (and so the client validation) it chose
     * @param certificates the port's certificates, which know each context's client-certificate check
     */
    AlpnSwitch(ChannelHandler http1, ChannelHandler http2, SniHandler sni, PortCertificates certificates) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.http1 = http1;
        this.http2 = http2;
        this.sni = sni;
        this.certificates = certificates;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SniCompletionEvent sni && sni.isSuccess()) {
            serverName = sni.hostname();
        }
        super.userEventTriggered(ctx, evt);
    }

    /**
     * Netty logs each failed handshake at WARN with a stack trace; scanners and clients that reject the
     * certificate would fill the log at their rate, so it is a DEBUG line here.
     */
    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("{} TLS handshake failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    /**
     * The client's certificate when its listener validates them and it is valid: with AllowValidOnly the handshake
     * already refused anything else (a TLS alert); with AllowInsecureFallback the connection is served either
     * way and the chain is checked here, once per connection.
     */
    private ClientCertificate verifiedClient(ChannelHandlerContext ctx) {
        ClientCertificateCheck check = certificates.clientCheck(sni.sslContext());
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (check == null || ssl == null) {
            return null;
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException none) {
            return null;
        }
        if (!check.verified(chain)) {
            LOG.debug("{} client certificate {} not valid; served without it (AllowInsecureFallback)", ctx.channel(),
                    chain.isEmpty() ? "-" : chain.get(0).getSubjectX500Principal());
            return null;
        }
        return new ClientCertificate(chain);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        TlsSession.attach(ctx.channel(), serverName, verifiedClient(ctx), certificates.clientCheck(sni.sslContext()));
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            ctx.pipeline().addAfter(ctx.name(), "h2", http2);
        } else {
            ctx.pipeline().addAfter(ctx.name(), "http1", http1);
        }
    }
}
