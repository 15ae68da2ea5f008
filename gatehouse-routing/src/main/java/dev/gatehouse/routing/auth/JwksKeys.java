package dev.gatehouse.routing.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A JWK set with each key's verifier built once (per snapshot for a local set, per fetch for a remote one), so a
 * request pays for the signature check and nothing else. HS, RS, PS and ES keys verify through Nimbus; EdDSA
 * (Ed25519, Ed448) through the JDK's own EdDSA ({@code Signature "Ed25519"}), as Nimbus's verifier needs Google
 * Tink, which is not one of our dependencies.
 */
final class JwksKeys {
    /** DER prefixes of an X.509 SubjectPublicKeyInfo for Ed25519 and Ed448: the raw key follows. */
    private static final byte[] ED25519_SPKI = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] ED448_SPKI = HexFormat.of().parseHex("3043300506032b6571033a00");

    private record Key(JWK jwk, JWSVerifier verifier, PublicKey edKey, String edAlgorithm) { }

    private final List<Key> keys = new ArrayList<>();

    JwksKeys(JWKSet set) {
        for (JWK jwk : set.getKeys()) {
            if (jwk.getKeyUse() != null && !"sig".equals(jwk.getKeyUse().identifier())) {
                continue;
            }
            try {
                if (jwk instanceof RSAKey rsa) {
                    keys.add(new Key(jwk, new RSASSAVerifier(rsa), null, null));
                } else if (jwk instanceof ECKey ec) {
                    keys.add(new Key(jwk, new ECDSAVerifier(ec), null, null));
                } else if (jwk instanceof OctetSequenceKey oct) {
                    keys.add(new Key(jwk, new MACVerifier(oct), null, null));
                } else if (jwk instanceof OctetKeyPair okp) {
                    boolean ed448 = Curve.Ed448.equals(okp.getCurve());
                    if (ed448 || Curve.Ed25519.equals(okp.getCurve())) {
                        byte[] prefix = ed448 ? ED448_SPKI : ED25519_SPKI;
                        byte[] x = okp.getDecodedX();
                        byte[] der = new byte[prefix.length + x.length];
                        System.arraycopy(prefix, 0, der, 0, prefix.length);
                        System.arraycopy(x, 0, der, prefix.length, x.length);
                        String alg = ed448 ? "Ed448" : "Ed25519";
                        keys.add(new Key(jwk, null, KeyFactory.getInstance(alg).generatePublic(
                                new X509EncodedKeySpec(der)), alg));
                    }
                }
            } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
                // a key we cannot use (an HMAC secret shorter than 256 bits, a bad point) verifies nothing
            }
        }
    }

    /** Whether a key could verify this header's algorithm and kid (so an unknown kid asks for a refetch). */
    boolean hasKeyFor(JWSHeader header) {
        JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
        for (Key k : keys) {
            if (matcher != null && matcher.matches(k.jwk())) {
                return true;
            }
        }
        return false;
    }

    /** True if a key of the set that matches the token's header verifies its signature. */
    boolean verifies(SignedJWT jwt) {
        JWSHeader header = jwt.getHeader();
        JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
        if (matcher == null) {
            return false;
        }
        for (Key k : keys) {
            if (!matcher.matches(k.jwk())) {
                continue;
            }
            try {
                if (k.verifier() != null ? jwt.verify(k.verifier()) : verifyEdDsa(jwt, k)) {
                    return true;
                }
            } catch (JOSEException | GeneralSecurityException e) {
                // this key does not fit the token: try the next
            }
        }
        return false;
    }

    private static boolean verifyEdDsa(SignedJWT jwt, Key k) throws GeneralSecurityException {
        if (!JWSAlgorithm.EdDSA.equals(jwt.getHeader().getAlgorithm())
                && !k.edAlgorithm().equals(jwt.getHeader().getAlgorithm().getName())) {
            return false;
        }
        Signature s = Signature.getInstance(k.edAlgorithm());
        s.initVerify(k.edKey());
        s.update(jwt.getSigningInput());
        return s.verify(jwt.getSignature().decode());
    }
}
