package dev.gatehouse.proxy.http;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.net.ConnectException;
import java.security.cert.CertificateException;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamErrorsTest {
    @Test
    void aRefusedCertificateIsNamedByItsInnermostCause() {
        SSLHandshakeException handshake = new SSLHandshakeException("error:1000007d:SSL routines:CERTIFICATE_VERIFY_FAILED");
        handshake.initCause(new CertificateException("No subject alternative DNS name matching other.example.com found."));
        assertThat(UpstreamErrors.describe(new DecoderException(handshake)))
                .isEqualTo("TLS handshake failed: No subject alternative DNS name matching other.example.com found.");
    }

    @Test
    void aHandshakeThatNeverEndsIsATlsFailureToo() {
        assertThat(UpstreamErrors.describe(new SslHandshakeTimeoutException("handshake timed out after 10000ms")))
                .isEqualTo("TLS handshake failed: handshake timed out after 10000ms");
    }

    @Test
    void otherFailuresKeepTheirWords() {
        assertThat(UpstreamErrors.describe(new ConnectException("Connection refused"))).isEqualTo("connection refused");
    }
}
