package dev.gatehouse.routing.filter;

import io.netty.util.AsciiString;

/**
 * Compile-time checks for configured header names and values, so a bad config is rejected at reload
 * instead of producing a malformed (or response-splitting) header on the wire.
 */
final class HeaderFieldValidator {
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private HeaderFieldValidator() {
    }

    /** @return the name as a cached {@link AsciiString}, case kept as configured (matched case-insensitively) */
    static AsciiString name(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TOKEN_SYMBOLS.indexOf(c) >= 0;
            if (!ok) {
                throw new IllegalArgumentException("header name '" + name + "' has invalid character at " + i);
            }
        }
        return AsciiString.cached(name);
    }

    /** Rejects control characters other than horizontal tab (CR/LF would split the header block) and non-Latin-1. */
    static String value(String name, String value) {
        checkValue(name, value);
        return value;
    }

    /** As {@link #value} but returned as a cached {@link AsciiString}, which the HTTP encoder copies byte for byte. */
    static AsciiString asciiValue(String name, String value) {
        checkValue(name, value);
        return AsciiString.cached(value);
    }

    private static void checkValue(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("header " + name + ": missing value");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException("header " + name + ": value has invalid character 0x"
                        + Integer.toHexString(c) + " at " + i);
            }
        }
    }
}
