package dev.gatehouse.proxy.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;

import java.util.List;

/**
 * The hop-by-hop header fields a proxy drops by name (RFC 9110 7.6.1), besides Connection itself, what it nominates,
 * and Transfer-Encoding: one list for the decoded path ({@code HopByHopHeaders.strip}) and the raw one
 * ({@link RawResponse}), so that a response loses the same fields whichever path it takes.
 */
public final class HopByHopNames {
    public static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    /** Upgrade is last: a WebSocket handshake keeps it (see {@link #ALL_BUT_UPGRADE}). */
    public static final List<AsciiString> ALL = List.of(HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION,
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE);
    public static final int ALL_BUT_UPGRADE = ALL.size() - 1;

    private HopByHopNames() {
    }
}
