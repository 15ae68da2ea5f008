package dev.gatehouse.proxy.attack;

import dev.gatehouse.proxy.testing.RecordingBackend.Received;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The attacks of the hardening contract, as raw bytes, each with what gatehouse must answer and what the backend
 * may see. Shared by {@link HardeningAttackTest} (gatehouse) and {@link NginxSanityTest} (Debian's nginx, to show
 * each attack is real and how the reference proxy treats it). Every request names host {@code a}; the deny rule
 * is {@code /admin} (a PathPrefix answered 403 by a RequestTermination filter); everything else goes to the backend.
 */
final class AttackCatalogue {
    /** What the backend may receive. */
    enum Outcome {
        /** nothing at all */
        NONE,
        /** exactly one regular request, with {@link Attack#path} and passing {@link Attack#check} */
        ONE
    }

    /**
     * @param must the contract item (1 smuggling, 2 malformed, 3 forwarding, 4 normalisation, 7 upgrade)
     * @param smuggling a framing attack: the nginx sanity run must also neutralise it
     */
    record Attack(int must, String name, String raw, int status, Outcome outcome, String path,
                  Predicate<Received> check, boolean smuggling) {
        @Override
        public String toString() {
            return "M" + must + " " + name;
        }
    }

    static final String DENIED = "/admin";

    private AttackCatalogue() {
    }

    static List<Attack> all() {
        List<Attack> a = new ArrayList<>();
        // ---- Must 1: smuggling
        smuggle(a, "CL.TE", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG");
        smuggle(a, "TE.CL", "POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
                + "0\r\n\r\nGET /admin/x HTTP/1.1\r\nHost: a\r\n\r\n");
        smuggle(a, "TE xchunked", "POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\nhello");
        smuggle(a, "TE chunked + TE identity", "POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                + "Transfer-Encoding: identity\r\n\r\n0\r\n\r\n");
        smuggle(a, "TE identity, chunked", "POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n");
        smuggle(a, "TE quoted", "POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n");
        smuggle(a, "TE space before colon", "POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n"
                + "Content-Length: 5\r\n\r\nhello");
        smuggle(a, "TE vertical tab", "POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\u000bchunked\r\n\r\n0\r\n\r\n");
        smuggle(a, "Transfer_Encoding underscore", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                + "Transfer_Encoding: chunked\r\n\r\nhello");
        smuggle(a, "Content_Length underscore", "POST /s HTTP/1.1\r\nHost: a\r\nContent_Length: 5\r\n\r\nhello");
        // obs-fold is refused (RFC 9112 5.2 allows the 400; nginx and Envoy do it): a hop that unfolds and one that
        // reads the continuation as a field of its own would disagree on the header section
        smuggle(a, "obs-fold", "GET /s HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n");
        smuggle(a, "obs-fold with HT", "GET /s HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n");
        smuggle(a, "obs-fold in the middle", "GET /s HTTP/1.1\r\nX-A: b\r\n c\r\nHost: a\r\n\r\n");
        smuggle(a, "obs-fold hides TE", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX: y\r\n"
                + " Transfer-Encoding: chunked\r\n\r\nhello");
        smuggle(a, "obs-fold hides a second request", "POST /s HTTP/1.1\r\nHost: a\r\nX: y\r\n"
                + " Content-Length: 34\r\nContent-Length: 0\r\n\r\nGET /admin/x HTTP/1.1\r\nHost: a\r\n\r\n");
        smuggle(a, "fold before first header", "GET /s HTTP/1.1\r\n Host: a\r\nHost: a\r\n\r\n");
        smuggle(a, "CL twice equal", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
        smuggle(a, "CL twice different", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
        smuggle(a, "CL list", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello");
        smuggle(a, "CL plus sign", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello");
        smuggle(a, "CL negative", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\nhello");
        smuggle(a, "CL hex", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello");
        smuggle(a, "CL exponent", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 5e0\r\n\r\nhello");
        smuggle(a, "CL inner space", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\nhello");
        smuggle(a, "CL overflow", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551621\r\n\r\nhello");
        smuggle(a, "CL empty", "POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\nhello");
        smuggle(a, "chunk size 0x", chunked("0x5\r\nhello\r\n0\r\n\r\n"));
        smuggle(a, "chunk size plus", chunked("+5\r\nhello\r\n0\r\n\r\n"));
        smuggle(a, "chunk size negative", chunked("-5\r\nhello\r\n0\r\n\r\n"));
        smuggle(a, "chunk size leading space", chunked(" 5\r\nhello\r\n0\r\n\r\n"));
        smuggle(a, "chunk size overflow", chunked("10000000000000005\r\nhello\r\n0\r\n\r\n"));
        smuggle(a, "chunk size not hex", chunked("g\r\nhello\r\n0\r\n\r\n"));
        smuggle(a, "chunk size empty", chunked("\r\nhello\r\n0\r\n\r\n"));
        smuggle(a, "chunk size bare LF", chunked("5\nhello\r\n0\r\n\r\n"));
        smuggle(a, "chunk ext bare LF", chunked("5;a=b\nhello\r\n0\r\n\r\n"));
        smuggle(a, "chunk ext bare CR", chunked("5;a=b\rc\r\nhello\r\n0\r\n\r\n"));
        smuggle(a, "chunk ext quoted CRLF", chunked("5;a=\"\r\n0\r\n\r\nGET /admin/x HTTP/1.1\r\nHost: a\r\n\r\n\"\r\n"
                + "hello\r\n0\r\n\r\n"));
        smuggle(a, "chunk data overrun", chunked("5\r\nhelloGET /admin/x HTTP/1.1\r\n0\r\n\r\n"));
        smuggle(a, "chunk data underrun", chunked("7\r\nhello\r\n0\r\n\r\n"));
        smuggle(a, "chunk data bare LF", chunked("5\r\nhello\n0\r\n\r\n"));
        smuggle(a, "HTTP/1.0 with TE", "POST /s HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        a.add(new Attack(1, "chunk extension stripped", chunked("5;name=value\r\nhello\r\n0\r\n\r\n"), 200, Outcome.ONE, "/s",
                r -> new String(r.body()).equals("hello"), true));
        a.add(new Attack(1, "Expect on a denied path", "POST /admin HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                + "Content-Length: 32\r\n\r\nGET /admin/x HTTP/1.1\r\nHost: a\r\n\r\n", 403, Outcome.NONE, null, r -> true, true));
        a.add(new Attack(1, "Expect answered by the gateway", "POST /s HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                + "Content-Length: 5\r\n\r\nhello", 200, Outcome.ONE, "/s", r -> new String(r.body()).equals("hello"), true));
        a.add(new Attack(1, "Expect unknown", "POST /s HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, x\r\n"
                + "Content-Length: 5\r\n\r\nhello", 417, Outcome.NONE, null, r -> true, true));
        a.add(new Attack(1, "Expect then pipelined deny", "POST /s HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                + "Content-Length: 5\r\n\r\nhelloGET /admin/x HTTP/1.1\r\nHost: a\r\n\r\n", 200, Outcome.ONE, "/s",
                r -> new String(r.body()).equals("hello"), true));

        // ---- Must 2: malformed
        malformed(a, "CR in header value", "GET /s HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400);
        malformed(a, "NUL in header value", "GET /s HTTP/1.1\r\nHost: a\r\nX: a\u0000b\r\n\r\n", 400);
        malformed(a, "bare LF line ends", "GET /s HTTP/1.1\nHost: a\n\n", 400);
        malformed(a, "space in header name", "GET /s HTTP/1.1\r\nHost: a\r\nX Y: z\r\n\r\n", 400);
        malformed(a, "control in header name", "GET /s HTTP/1.1\r\nHost: a\r\nX\u0001Y: z\r\n\r\n", 400);
        malformed(a, "quote in header name", "GET /s HTTP/1.1\r\nHost: a\r\n\"q\": z\r\n\r\n", 400);
        malformed(a, "empty header name", "GET /s HTTP/1.1\r\nHost: a\r\n: z\r\n\r\n", 400);
        malformed(a, "two Hosts", "GET /s HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
        malformed(a, "Host list", "GET /s HTTP/1.1\r\nHost: a, b\r\n\r\n", 400);
        malformed(a, "missing Host", "GET /s HTTP/1.1\r\n\r\n", 400);
        malformed(a, "absolute-form vs Host", "GET http://b/s HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        a.add(new Attack(2, "absolute-form same host", "GET http://a/s?q HTTP/1.1\r\nHost: a\r\n\r\n", 200, Outcome.ONE,
                "/s", r -> r.target().equals("/s?q") && "a".equals(r.header("host")), false));
        malformed(a, "garbage line", "GARBAGE\r\n\r\n", 400);
        malformed(a, "extra token in request line", "GET /s HTTP/1.1 x\r\nHost: a\r\n\r\n", 400);
        // exactly method SP target SP version (RFC 9112 3): a lenient whitespace split is how a front end and a
        // backend come to read different targets from one line
        malformed(a, "double space in request line", "GET  /s HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        malformed(a, "double space before version", "GET /s  HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        malformed(a, "tab in request line", "GET\t/s HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        malformed(a, "tab before version", "GET /s\tHTTP/1.1\r\nHost: a\r\n\r\n", 400);
        malformed(a, "space after version", "GET /s HTTP/1.1 \r\nHost: a\r\n\r\n", 400);
        malformed(a, "space before method", " GET /s HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        malformed(a, "double space hides a target", "GET /s  /admin/x HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        malformed(a, "HTTP/0.9", "GET /s\r\n\r\n", 400);
        malformed(a, "NUL before method", "\u0000GET /s HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        malformed(a, "unknown version", "GET /s HTTP/1.2\r\nHost: a\r\n\r\n", 505);
        malformed(a, "CONNECT", "CONNECT backend:443 HTTP/1.1\r\nHost: backend:443\r\n\r\n", 405);
        malformed(a, "URI too long", "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414);
        malformed(a, "headers too large", "GET /s HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(70_000) + "\r\n\r\n", 431);

        // ---- Must 3: forwarding
        forward(a, "X-Forwarded-For appended", "X-Forwarded-For: 6.6.6.6\r\n",
                r -> "6.6.6.6, 127.0.0.1".equals(r.header("x-forwarded-for")));
        forward(a, "X-Forwarded-Proto overwritten", "X-Forwarded-Proto: https\r\n",
                r -> "http".equals(r.header("x-forwarded-proto")));
        forward(a, "Connection cannot strip gateway headers",
                "Connection: X-Forwarded-For, X-Forwarded-Proto, Forwarded, X-Forwarded-Host\r\n",
                r -> "127.0.0.1".equals(r.header("x-forwarded-for")) && "http".equals(r.header("x-forwarded-proto"))
                        && r.header("forwarded") != null && r.header("connection") == null);
        forward(a, "Connection-nominated header removed", "Connection: X-Secret\r\nX-Secret: 1\r\n",
                r -> r.header("x-secret") == null);
        forward(a, "X-Original-URL stripped", "X-Original-URL: /admin\r\n", r -> r.header("x-original-url") == null);
        forward(a, "X-Rewrite-URL stripped", "X-Rewrite-URL: /admin\r\n", r -> r.header("x-rewrite-url") == null);
        forward(a, "Proxy-Connection and Keep-Alive removed", "Proxy-Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n",
                r -> r.header("proxy-connection") == null && r.header("keep-alive") == null);
        malformed(a, "encoded CRLF in target", "GET /s%0d%0aX-Injected:%20yes HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        malformed(a, "encoded CRLF in query", "GET /s?x=%0d%0a HTTP/1.1\r\nHost: a\r\n\r\n", -200);

        // ---- Must 4: normalisation before matching
        for (String p : List.of("/admin", "/admin/", "/admin/x", "//admin", "///admin/x", "/x/../admin", "/x/%2e%2e/admin",
                "/x/%2E./admin", "/./admin", "/%2e/admin", "/%61dmin", "/%61%64%6d%69%6e/x", "/admin;x/", "/admin;x",
                "/;x/admin", "/admin%2fx", "/x/..%2fadmin", "/admin/./", "/public/../admin")) {
            a.add(new Attack(4, "deny " + p, get(p), 403, Outcome.NONE, null, r -> true, false));
        }
        for (String p : List.of("/x/..;/admin", "/admin\\x", "/x\\..\\admin", "/%5cadmin", "/x%ef%bc%8f..%ef%bc%8fadmin",
                "/%ef%bd%81dmin", "/%c0%ae%c0%ae/admin", "/admin%00", "/admin%00.html", "/%c0%afadmin")) {
            a.add(new Attack(4, "refuse " + p, get(p), 400, Outcome.NONE, null, r -> true, false));
        }
        a.add(new Attack(4, "refuse raw non-ASCII", "GET /\u00efdmin HTTP/1.1\r\nHost: a\r\n\r\n", 400, Outcome.NONE, null,
                r -> true, false));
        normal(a, "/x/../public/./a", "/public/a");
        normal(a, "/%7euser/%41", "/~user/A");
        normal(a, "/a%2fb", "/a%2Fb");
        normal(a, "//public//a/", "/public/a/");
        normal(a, "/files;v=1/x", "/files;v=1/x");
        normal(a, "/caf%c3%a9", "/caf%C3%A9");

        // ---- Must 7: upgrades follow routing; h2c is never forwarded
        a.add(new Attack(7, "WebSocket to a denied path", "GET /admin/ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
                403, Outcome.NONE, null, r -> true, false));
        a.add(new Attack(7, "WebSocket via encoded path to a denied path", "GET /ws/../%61dmin HTTP/1.1\r\nHost: a\r\n"
                + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 403, Outcome.NONE, null, r -> true, false));
        return a;
    }

    private static void smuggle(List<Attack> a, String name, String raw) {
        a.add(new Attack(1, name, raw, 400, Outcome.NONE, null, r -> true, true));
    }

    /** @param status the expected status; negative: 400 from us is fine too but the request must not be forwarded raw */
    private static void malformed(List<Attack> a, String name, String raw, int status) {
        if (status < 0) {
            a.add(new Attack(2, name, raw, -status, Outcome.ONE, "/s", r -> r.target().equals("/s?x=%0d%0a"), false));
        } else {
            a.add(new Attack(2, name, raw, status, Outcome.NONE, null, r -> true, false));
        }
    }

    private static void forward(List<Attack> a, String name, String headers, Predicate<Received> check) {
        a.add(new Attack(3, name, "GET /s HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n", 200, Outcome.ONE, "/s", check, false));
    }

    private static void normal(List<Attack> a, String sent, String forwarded) {
        a.add(new Attack(4, "forward " + sent, get(sent), 200, Outcome.ONE, forwarded, r -> true, false));
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n";
    }

    private static String chunked(String body) {
        return "POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
    }
}
