package dev.gatehouse.ir;

/**
 * The SecurityPolicy {@code jwt} field as the data plane enforces it (EG v1.9's shape): the providers a bearer
 * token is checked against. Placeholder of the IR seam: the jwt work defines its components.
 *
 * @param provider a one-line description, for explain
 */
public record JwtSpec(String provider) {
}
