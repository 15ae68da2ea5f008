package dev.gatehouse.proxy.http;

import io.netty.handler.codec.http.HttpHeaders;

/** A browser's GET header section (Firefox, 12 fields), for the header-path benchmarks. */
final class BrowserHead {
    private BrowserHead() {
    }

    static HttpHeaders addTo(HttpHeaders headers) {
        return headers.add("host", "shop.example.com")
                .add("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                .add("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .add("accept-language", "en-US,en;q=0.5")
                .add("accept-encoding", "gzip, deflate, br, zstd")
                .add("referer", "https://shop.example.com/cart")
                .add("cookie", "session=3f9a1c0e7b2d4a6f8e1c; theme=dark; consent=1")
                .add("connection", "keep-alive")
                .add("upgrade-insecure-requests", "1")
                .add("sec-fetch-dest", "document")
                .add("sec-fetch-mode", "navigate")
                .add("priority", "u=0, i");
    }
}
