package dev.gatehouse.routing.auth;

import dev.gatehouse.routing.filter.HttpExchange;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;

/** Requests as the proxy hands them to a route's filters, for the auth tests. */
final class Exchanges {
    private Exchanges() {
    }

    /** A GET of {@code uri} from 10.1.2.3 with the given header name/value pairs. */
    static HttpExchange exchange(String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        int q = uri.indexOf('?');
        return new HttpExchange(r, "http", 8080, new InetSocketAddress("10.1.2.3", 5555), "example.com",
                q < 0 ? uri : uri.substring(0, q), q < 0 ? null : uri.substring(q + 1));
    }
}
