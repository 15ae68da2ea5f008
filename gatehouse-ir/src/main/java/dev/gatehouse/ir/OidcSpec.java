package dev.gatehouse.ir;

/**
 * The SecurityPolicy {@code oidc} field as the data plane enforces it (EG v1.9's shape): the authorization-code
 * login of browser routes. Placeholder of the IR seam: the oidc work defines its components.
 *
 * @param provider a one-line description, for explain
 */
public record OidcSpec(String provider) {
}
