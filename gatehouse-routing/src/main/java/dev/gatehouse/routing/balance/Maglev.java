package dev.gatehouse.routing.balance;

/**
 * A Maglev lookup table (Eisenbud et al., NSDI 2016): each endpoint walks its own permutation of the table's slots
 * (offset and skip from two hashes of its name) and the endpoints take turns claiming their next free slot, so each
 * ends up with an equal share of the slots, and adding or removing one endpoint changes about 1/N of them. The
 * turns are weighted as Envoy does (an endpoint of half the top weight claims a slot every other round). Built at
 * compile time; a lookup is one array read.
 */
final class Maglev {
    private final char[] table;

    private Maglev(char[] table) {
        this.table = table;
    }

    /**
     * @param names stable identities ("10.0.0.1:8080"): the same name gets the same permutation in every build
     * @param weights one per name, positive
     * @param size the table size, a prime larger than the number of names
     */
    static Maglev build(String[] names, double[] weights, int size) {
        int n = names.length;
        if (n > Character.MAX_VALUE || n >= size) {
            throw new IllegalArgumentException(n + " endpoints need a Maglev table larger than " + size);
        }
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        double[] target = new double[n];
        double max = 0;
        for (int i = 0; i < n; i++) {
            offset[i] = Long.remainderUnsigned(Hashing.hash(names[i], 0x5bd1e995L), size);
            skip[i] = Long.remainderUnsigned(Hashing.hash(names[i], 0x1b873593L), size - 1) + 1;
            max = Math.max(max, weights[i]);
        }
        char[] table = new char[size];
        boolean[] taken = new boolean[size];
        int filled = 0;
        for (long round = 0; filled < size; round++) {
            for (int i = 0; i < n && filled < size; i++) {
                // an endpoint of weight w claims a slot in a round when round * w has reached its next target
                if (round * weights[i] < target[i]) {
                    continue;
                }
                target[i] += max;
                int c;
                do {
                    c = (int) ((offset[i] + next[i] * skip[i]) % size);
                    next[i]++;
                } while (taken[c]);
                taken[c] = true;
                table[c] = (char) i;
                filled++;
            }
        }
        return new Maglev(table);
    }

    /** The index of the endpoint owning {@code hash}. */
    int lookup(long hash) {
        return table[(int) Long.remainderUnsigned(hash, table.length)];
    }

    int size() {
        return table.length;
    }

    static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        for (long d = 2; d * d <= n; d++) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}
