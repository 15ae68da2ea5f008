package dev.gatehouse.routing.route;

/**
 * What {@link PathNormalizer} does with {@code %2F} (an encoded '/') in a request path.
 *
 * <p>The default is {@link #KEEP}: the encoded slash stays {@code %2F}, is not a segment boundary for routing,
 * and reaches the backend as {@code %2F}. APIs that carry identifiers with slashes (object stores, package
 * registries: {@code /v2/org%2Frepo/manifests}) need it, and it cannot bypass a prefix deny because gatehouse
 * and a correct backend both see one segment. {@link #DECODE} suits backends that decode it anyway (then the
 * gateway must route on what they will see); {@link #REJECT} is the strictest (nginx and Apache's default,
 * {@code AllowEncodedSlashes Off}, answers 404 there).
 */
public enum EncodedSlashPolicy {
    /** 400 for any {@code %2F}. */
    REJECT,
    /** Keep {@code %2F} encoded (one segment), uppercase. */
    KEEP,
    /** Decode to '/', then merge slashes and remove dot segments as for a raw '/'. */
    DECODE
}
