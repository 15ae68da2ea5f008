package dev.gatehouse.routing.auth;

import dev.gatehouse.ir.SecurityPolicySpec;
import dev.gatehouse.routing.filter.HttpExchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy's {@code apiKeyAuth}: the keys' SHA-256 digests in a hash table built once per snapshot. A presented
 * key is digested and looked up: the lookup's timing depends on the digest, never on how much of a real key was
 * guessed, and the final comparison is {@link MessageDigest#isEqual}.
 */
final class ApiKeys {
    /** What a request presented. */
    sealed interface Result permits Missing, Wrong, Client { }

    record Missing() implements Result { }

    record Wrong() implements Result { }

    /** @param identity what authentication hands to authorization: built once per key, as the key is */
    record Client(String id, SecurityFilters.Identity identity) implements Result { }

    private static final Missing MISSING = new Missing();
    private static final Wrong WRONG = new Wrong();

    private final Map<ByteBuffer, Entry> byDigest = new HashMap<>();
    private final List<SecurityPolicySpec.Extract> extractFrom;
    private final boolean sanitize;
    final String forwardHeader;

    private record Entry(Client client, byte[] digest) { }

    ApiKeys(SecurityPolicySpec.ApiKeyAuthSpec spec) {
        for (SecurityPolicySpec.ApiKey k : spec.keys()) {
            byDigest.putIfAbsent(ByteBuffer.wrap(k.keySha256()), new Entry(new Client(k.clientId(),
                    SecurityFilters.Identity.verified(k.clientId(), k.clientId(), null)), k.keySha256()));
        }
        this.extractFrom = spec.extractFrom();
        this.sanitize = spec.sanitize();
        this.forwardHeader = spec.forwardClientIdHeader();
    }

    /** Reads the key from the first source that has one (removing it when {@code sanitize}) and looks it up. */
    Result authenticate(HttpExchange ex) {
        String key = null;
        for (SecurityPolicySpec.Extract from : extractFrom) {
            key = switch (from.source()) {
                case HEADER -> header(ex.request().headers(), from.names());
                case PARAM -> param(ex, from.names());
                case COOKIE -> cookie(ex.request().headers(), from.names());
            };
            if (key != null) {
                break;
            }
        }
        if (key == null) {
            return MISSING;
        }
        byte[] digest = Digests.sha256(key.getBytes(StandardCharsets.UTF_8));
        Entry e = byDigest.get(ByteBuffer.wrap(digest));
        return e != null && MessageDigest.isEqual(e.digest(), digest) ? e.client() : WRONG;
    }

    private String header(HttpHeaders headers, List<String> names) {
        for (String name : names) {
            String value = headers.get(name);
            if (value != null) {
                if (sanitize) {
                    headers.remove(name);
                }
                return value;
            }
        }
        return null;
    }

    private String param(HttpExchange ex, List<String> names) {
        if (ex.query() == null) {
            return null;
        }
        Map<String, List<String>> params = new QueryStringDecoder(ex.query(), false).parameters();
        for (String name : names) {
            List<String> values = params.get(name);
            if (values != null && !values.isEmpty()) {
                if (sanitize) {
                    ex.setPathAndQuery(ex.path(), without(ex.query(), name));
                }
                return values.get(0);
            }
        }
        return null;
    }

    /** The raw query without the parameters named {@code name} (the others keep their encoding), or null if empty. */
    private static String without(String query, String name) {
        StringBuilder out = new StringBuilder(query.length());
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String raw = eq < 0 ? pair : pair.substring(0, eq);
            if (!QueryStringDecoder.decodeComponent(raw).equals(name) && !pair.isEmpty()) {
                out.append(out.length() == 0 ? "" : "&").append(pair);
            }
        }
        return out.length() == 0 ? null : out.toString();
    }

    private String cookie(HttpHeaders headers, List<String> names) {
        List<String> all = headers.getAll(HttpHeaderNames.COOKIE);
        for (String name : names) {
            for (String header : all) {
                for (String part : header.split(";")) {
                    int eq = part.indexOf('=');
                    if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                        if (sanitize) {
                            removeCookie(headers, name);
                        }
                        return part.substring(eq + 1).trim();
                    }
                }
            }
        }
        return null;
    }

    private static void removeCookie(HttpHeaders headers, String name) {
        List<String> kept = new java.util.ArrayList<>();
        for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (!part.isBlank() && !(eq > 0 && part.substring(0, eq).trim().equals(name))) {
                    kept.add(part.trim());
                }
            }
        }
        headers.remove(HttpHeaderNames.COOKIE);
        if (!kept.isEmpty()) {
            headers.set(HttpHeaderNames.COOKIE, String.join("; ", kept));
        }
    }
}
