package dev.gatehouse.routing.route;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Which requests are gRPC calls: the gateway answers those itself in gRPC's terms (the proxy) and explain says
 * so. A call is known by its content type, application/grpc alone or with a +format or parameters.
 */
public final class GrpcCalls {
    private GrpcCalls() {
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
