package dev.gatehouse.ir;

import java.time.Duration;

/**
 * Limits and timeouts applied to the client side of one port (from a {@code ClientTrafficPolicy} in group
 * {@code gatehouse.dev}). Every component is set: the translator fills what the policy leaves out with
 * {@link #DEFAULTS}, so the data plane never guesses. Zero durations or limits mean "off" where noted.
 *
 * @param requestHeader a request head (and an idle keep-alive connection's next head) must arrive within this;
 *                      bytes trickling in do not extend it (slowloris)
 * @param bodyIdle a request body that is silent this long is cut (408 before the response, else a close)
 * @param bodyTotal a whole request body must arrive within this; zero = no total deadline
 * @param idle a connection with no traffic at all (h2 included) is closed after this
 * @param backendResponse response-head deadline when the route sets none; zero disables it
 * @param maxHeaderBytes request line + header section limit in bytes (431/414 beyond)
 * @param maxHeaderFields request header field count limit (431 beyond)
 * @param maxUriBytes request line limit in bytes (414 beyond)
 * @param http2MaxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS advertised; streams beyond are refused
 * @param http2MaxHeaderListBytes SETTINGS_MAX_HEADER_LIST_SIZE advertised and enforced (HPACK bombs)
 * @param minBodyRateBytesPerSecond a request body slower than this on average (after a grace of bodyIdle)
 *                                  is cut; zero = no minimum rate
 * @param proxyProtocol PROXY protocol from trusted sources, or {@code null} when the port reads none
 * @param forwardClientCert X-Forwarded-Client-Cert handling, or {@code null} to sanitize (Envoy's default)
 */
public record ClientTrafficSpec(Duration requestHeader, Duration bodyIdle, Duration bodyTotal, Duration idle,
                                Duration backendResponse, int maxHeaderBytes, int maxHeaderFields, int maxUriBytes,
                                int http2MaxConcurrentStreams, int http2MaxHeaderListBytes,
                                long minBodyRateBytesPerSecond, ProxyProtocolSpec proxyProtocol,
                                ForwardClientCertSpec forwardClientCert) {
    /** The hardening contract's values; also documented in docs/security.md. */
    public static final ClientTrafficSpec DEFAULTS = new ClientTrafficSpec(Duration.ofSeconds(10),
            Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(60), Duration.ofSeconds(15), 64 * 1024, 1000,
            16 * 1024, 100, 64 * 1024, 0);

    /** Limits without PROXY protocol. */
    public ClientTrafficSpec(Duration requestHeader, Duration bodyIdle, Duration bodyTotal, Duration idle,
                             Duration backendResponse, int maxHeaderBytes, int maxHeaderFields, int maxUriBytes,
                             int http2MaxConcurrentStreams, int http2MaxHeaderListBytes, long minBodyRateBytesPerSecond) {
        this(requestHeader, bodyIdle, bodyTotal, idle, backendResponse, maxHeaderBytes, maxHeaderFields, maxUriBytes,
                http2MaxConcurrentStreams, http2MaxHeaderListBytes, minBodyRateBytesPerSecond, null, null);
    }
}
