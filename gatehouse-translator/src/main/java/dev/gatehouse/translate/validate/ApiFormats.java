package dev.gatehouse.translate.validate;

import java.util.regex.Pattern;

/** String formats of the Gateway API CRDs (the OpenAPI {@code pattern}s), compiled once. */
final class ApiFormats {
    /** Hostname: DNS-1123 subdomain, optionally with a leading "*." label. */
    static final Pattern HOSTNAME = Pattern.compile(
            "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    /** PreciseHostname: no wildcard. */
    static final Pattern PRECISE_HOSTNAME = Pattern.compile(
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    /** HTTPHeaderName / HTTPQueryParam name: an RFC 7230 token. */
    static final Pattern HEADER_NAME = Pattern.compile("^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$");
    static final Pattern SECTION_NAME = Pattern.compile(
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    static final Pattern DURATION = Pattern.compile("^([0-9]{1,5}(h|m|s|ms)){1,4}$");
    static final Pattern PROTOCOL = Pattern.compile(
            "^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/[A-Za-z0-9]+$");
    static final int MAX_HOSTNAME = 253;

    private ApiFormats() {
    }
}
