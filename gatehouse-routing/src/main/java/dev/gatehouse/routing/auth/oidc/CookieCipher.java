package dev.gatehouse.routing.auth.oidc;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;

import java.text.ParseException;
import java.util.Date;

/**
 * The OIDC cookies' contents, sealed with AES-256-GCM (a JWE, {@code dir}/{@code A256GCM}) under the policy's
 * cookie key: a client can neither read its tokens nor change a byte of them. Each cookie names its use in the
 * sealed claims, so that a state cookie is never accepted as a session, and carries its own expiry.
 */
final class CookieCipher {
    static final String USE = "use";
    private static final JWEHeader HEADER = new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM);

    private final DirectEncrypter encrypter;
    private final DirectDecrypter decrypter;

    CookieCipher(byte[] key) {
        try {
            encrypter = new DirectEncrypter(key);
            decrypter = new DirectDecrypter(key);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the OIDC cookie key must be 32 bytes", e);
        }
    }

    /** Seals {@code claims} (which must carry {@link #USE} and an expiry). */
    String seal(JWTClaimsSet claims) {
        EncryptedJWT jwt = new EncryptedJWT(HEADER, claims);
        try {
            jwt.encrypt(encrypter);
        } catch (JOSEException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return jwt.serialize();
    }

    /**
     * @return the claims of a cookie we sealed for {@code use} that has not expired at {@code now}, or {@code null}
     *         for anything else (tampered, another key, another use, expired, not a JWE at all)
     */
    JWTClaimsSet open(String value, String use, Date now) {
        JWTClaimsSet claims = openAnyTime(value, use);
        return claims == null || claims.getExpirationTime() == null || !now.before(claims.getExpirationTime())
                ? null : claims;
    }

    /** As {@link #open}, but expired claims are returned too (a session whose access token needs refreshing). */
    JWTClaimsSet openAnyTime(String value, String use) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            EncryptedJWT jwt = EncryptedJWT.parse(value);
            if (!JWEAlgorithm.DIR.equals(jwt.getHeader().getAlgorithm())
                    || !EncryptionMethod.A256GCM.equals(jwt.getHeader().getEncryptionMethod())) {
                return null;
            }
            jwt.decrypt(decrypter);
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            return use.equals(claims.getClaim(USE)) ? claims : null;
        } catch (ParseException | JOSEException | IllegalStateException e) {
            return null;
        }
    }
}
