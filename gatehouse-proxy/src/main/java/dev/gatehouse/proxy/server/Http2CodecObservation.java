package dev.gatehouse.proxy.server;

import dev.gatehouse.proxy.observe.ExchangeObserver;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * What the h2 connection handler ({@link Http2Frontend}) does by itself, reported to the observer when something
 * observes:
 * <ul>
 *   <li>Every inbound stream error the handler handles ({@code Http2ConnectionHandler#onError}, the one place the frame
 *       reader, the HPACK decoder and the connection's stream accounting report them): a header the validation
 *       refuses ({@code protocol_error}), a stream over SETTINGS_MAX_CONCURRENT_STREAMS ({@code refused_stream}),
 *       a header list over SETTINGS_MAX_HEADER_LIST_SIZE ({@code header_too_large}, answered 431), anything else
 *       on a stream ({@code other}: flow control, zero WINDOW_UPDATE, stream closed...). Errors of our own
 *       writes ({@code outbound}) are not the client's and are not counted.</li>
 *   <li>Every GOAWAY sent ({@code Http2Connection.Listener#onGoAwaySent}: connection errors, the flood guard's
 *       ENHANCE_YOUR_CALM, graceful closes as NO_ERROR), once each, by error code.</li>
 * </ul>
 * Per error, never per request or frame.
 */
final class Http2CodecObservation {
    private static final Logger LOG = LoggerFactory.getLogger(Http2CodecObservation.class);
    static final String REFUSED_STREAM = "refused_stream";
    static final String PROTOCOL_ERROR = "protocol_error";
    static final String HEADER_TOO_LARGE = "header_too_large";
    static final String OTHER = "other";
    private static final String[] ERROR_NAMES = new String[Http2Error.values().length];

    static {
        for (Http2Error e : Http2Error.values()) {
            ERROR_NAMES[e.ordinal()] = e.name().toLowerCase(Locale.ROOT);
        }
    }

    private Http2CodecObservation() {
    }

    /** Reports each stream error in {@code cause} (an inbound error the connection handler handles). */
    static void streamErrors(ExchangeObserver observer, int port, Throwable cause) {
        try {
            Http2Exception e = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
            if (e instanceof Http2Exception.StreamException s) {
                observer.http2StreamError(port, reason(s));
            } else if (e instanceof Http2Exception.CompositeStreamException all) {
                for (Http2Exception.StreamException s : all) {
                    observer.http2StreamError(port, reason(s));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("observer failed", e);
        }
    }

    static String reason(Http2Exception.StreamException e) {
        if (e instanceof Http2Exception.HeaderListSizeException) {
            return HEADER_TOO_LARGE;
        }
        return switch (e.error()) {
            case REFUSED_STREAM -> REFUSED_STREAM;
            case PROTOCOL_ERROR -> PROTOCOL_ERROR;
            default -> OTHER;
        };
    }

    /** The error's name in lower case, or "unknown" for a code RFC 9113 does not define. */
    static String errorName(long code) {
        Http2Error e = Http2Error.valueOf(code);
        return e == null ? "unknown" : ERROR_NAMES[e.ordinal()];
    }
}
