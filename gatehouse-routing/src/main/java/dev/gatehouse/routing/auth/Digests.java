package dev.gatehouse.routing.auth;

import io.netty.util.concurrent.FastThreadLocal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA digests for credential checks, one digest object per thread and algorithm: {@code MessageDigest.getInstance}
 * looks the provider up and builds a fresh digest state, which on the API-key path was most of a request's
 * allocation. A digest is used start to end by one call on one thread, and {@code digest} leaves it reset.
 */
final class Digests {
    private static final FastThreadLocal<MessageDigest> SHA256 = perThread("SHA-256");
    private static final FastThreadLocal<MessageDigest> SHA1 = perThread("SHA-1");

    private Digests() {
    }

    static byte[] sha256(byte[] data) {
        return SHA256.get().digest(data);
    }

    static byte[] sha1(byte[] data) {
        return SHA1.get().digest(data);
    }

    private static FastThreadLocal<MessageDigest> perThread(String algorithm) {
        return new FastThreadLocal<>() {
            @Override
            protected MessageDigest initialValue() {
                try {
                    return MessageDigest.getInstance(algorithm);
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(algorithm + " is part of every JRE", e);
                }
            }
        };
    }
}
