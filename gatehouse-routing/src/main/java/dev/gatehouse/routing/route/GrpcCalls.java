package dev.gatehouse.routing.route;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Which requests are gRPC calls: the gateway answers those itself in gRPC's terms (the proxy) and explain says
 * so. A call is known by its content type, application/grpc alone or with a +format or parameters.
 */
public final class GrpcCalls {
    public static final int UNKNOWN = 2;
    public static final int PERMISSION_DENIED = 7;
    public static final int RESOURCE_EXHAUSTED = 8;
    public static final int UNIMPLEMENTED = 12;
    public static final int INTERNAL = 13;
    public static final int UNAVAILABLE = 14;
    public static final int UNAUTHENTICATED = 16;

    private GrpcCalls() {
    }

    /**
     * The gRPC status of an answer the gateway gives itself, as gRPC's HTTP-to-gRPC table and Envoy map it: 404 (no
     * route) UNIMPLEMENTED, 502/503/504 and 429 UNAVAILABLE, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 400
     * INTERNAL, anything else UNKNOWN.
     */
    public static int statusFor(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> INTERNAL;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED;
            case 429, 502, 503, 504 -> UNAVAILABLE;
            default -> UNKNOWN;
        };
    }

    /**
     * The gRPC status of a filter's answer. Filters are the SecurityPolicy and the rate limit, and their answers
     * say more than a backend's status would: a 429 is a spent quota, RESOURCE_EXHAUSTED (Envoy's
     * {@code rate_limited_as_resource_exhausted}, which gRPC clients do not retry blindly as they would
     * UNAVAILABLE), and a 500 is the gateway's own failure (an invalid policy failing closed), INTERNAL.
     */
    public static int filterStatusFor(int httpStatus) {
        return switch (httpStatus) {
            case 429 -> RESOURCE_EXHAUSTED;
            case 500 -> INTERNAL;
            default -> statusFor(httpStatus);
        };
    }

    /** "16 (UNAUTHENTICATED)", for explain. */
    public static String describe(int grpcStatus) {
        String name = switch (grpcStatus) {
            case PERMISSION_DENIED -> "PERMISSION_DENIED";
            case RESOURCE_EXHAUSTED -> "RESOURCE_EXHAUSTED";
            case UNIMPLEMENTED -> "UNIMPLEMENTED";
            case INTERNAL -> "INTERNAL";
            case UNAVAILABLE -> "UNAVAILABLE";
            case UNAUTHENTICATED -> "UNAUTHENTICATED";
            default -> "UNKNOWN";
        };
        return grpcStatus + " (" + name + ")";
    }

    public static boolean isGrpc(HttpRequest request) {
        return isGrpcContentType(request.headers().get(HttpHeaderNames.CONTENT_TYPE));
    }

    /** @param type a Content-Type value, or {@code null} */
    public static boolean isGrpcContentType(String type) {
        if (type == null || !type.regionMatches(true, 0, "application/grpc", 0, 16)) {
            return false;
        }
        return type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';';
    }
}
