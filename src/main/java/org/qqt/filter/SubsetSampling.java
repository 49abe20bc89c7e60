package org.qqt.filter;

import java.util.Random;
import org.qqt.data.SubsetFile;

/** {@code --random r}: a reproducible draw of a bucket's rows, independent of the scan order. */
public final class SubsetSampling {
    private SubsetSampling() {}


    /** {@code k} of the subset's rows, chosen by selection sampling (Knuth's algorithm S) in uid order. */
    public static SubsetFile sample(SubsetFile s, long k, long seed) {
        return SubsetFile.fromSortedPairs(sample(s.pairs(), s.size(), (int) k, seed), (int) k);
    }

    /**
     * {@code k} of the first {@code n} interleaved pairs, chosen by selection sampling (Knuth's algorithm S) in
     * their order with {@code java.util.Random(seed)}: a new array of k pairs, in the same order.
     */
    public static long[] sample(long[] pairs, int n, int k, long seed) {
        Random rnd = new Random(seed);
        long[] out = new long[2 * k];
        int chosen = 0;
        for (int i = 0; i < n && chosen < k; i++) {
            if ((n - i) * rnd.nextDouble() < k - chosen) {
                out[2 * chosen] = pairs[2 * i];
                out[2 * chosen++ + 1] = pairs[2 * i + 1];
            }
        }
        return out;
    }
}
