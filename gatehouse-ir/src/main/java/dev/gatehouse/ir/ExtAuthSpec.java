package dev.gatehouse.ir;

/**
 * The SecurityPolicy {@code extAuth} field (and the HTTPRoute {@code ExternalAuth} filter of GEP-1494) as the
 * data plane enforces it: the external service asked before authentication. Placeholder of the IR seam: the
 * ext-auth work defines its components.
 *
 * @param provider a one-line description, for explain
 */
public record ExtAuthSpec(String provider) {
}
