package dev.gatehouse.routing.balance;

/**
 * 64-bit hashing of the values a consistent hash reads, without allocation (no byte[] of a String): chars are
 * folded in and the result goes through MurmurHash3's finalizer, so near-identical keys (user1, user2) land far apart.
 */
final class Hashing {
    private static final long PRIME = 0x100000001b3L;

    private Hashing() {
    }

    /** Folds {@code s} into {@code h} (FNV-1a over the chars); finish with {@link #mix}. */
    static long fold(long h, CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * PRIME;
        }
        return h;
    }

    /** Folds one more value in, so that ("ab","c") and ("a","bc") differ. */
    static long fold(long h, long v) {
        return (h ^ v) * PRIME + 0x9e3779b97f4a7c15L;
    }

    /** MurmurHash3's fmix64. */
    static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** The seed FNV-1a starts from. */
    static final long SEED = 0xcbf29ce484222325L;

    static long hash(CharSequence s, long seed) {
        return mix(fold(SEED ^ seed, s));
    }

    /** A uniform double in (0, 1) from a hash: for weighted rendezvous. */
    static double unit(long h) {
        return ((h >>> 11) + 0.5) * 0x1.0p-53;
    }
}
