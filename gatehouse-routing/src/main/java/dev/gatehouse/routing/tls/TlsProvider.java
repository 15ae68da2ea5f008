package dev.gatehouse.routing.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * The TLS implementation of every listener: BoringSSL through netty-tcnative where its native library loads on
 * this platform (faster handshakes and bulk encryption, ALPN without JDK quirks), the JDK's otherwise.
 * Decided once per process.
 */
public final class TlsProvider {
    private static final SslProvider PROVIDER =
            SslProvider.isAlpnSupported(SslProvider.OPENSSL) ? SslProvider.OPENSSL : SslProvider.JDK;

    private TlsProvider() {
    }

    public static SslProvider provider() {
        return PROVIDER;
    }

    /** For the startup log, e.g. "OpenSSL (BoringSSL)" or "JDK (OpenSSL unavailable: ...)". */
    public static String describe() {
        if (PROVIDER == SslProvider.OPENSSL) {
            return "OpenSSL (" + OpenSsl.versionString() + ")";
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return "JDK (" + (cause == null ? "OpenSSL without ALPN" : "OpenSSL unavailable: " + cause.getMessage()) + ")";
    }
}
