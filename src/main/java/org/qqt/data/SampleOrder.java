package org.qqt.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.qqt.io.BadInputException;
import org.qqt.io.SplitMix64;

/**
 * The order in which a loader serves its entries: a pure function of the seed and the entries' repeat counts.
 * The entries, each repeated by its count, form the epoch (size E). In {@link LoaderOptions.Mode#EPOCH} epoch e
 * is a permutation of the epoch drawn with a seed derived from (seed, e), epochs follow each other, and batches
 * run across epoch boundaries (every sample is served exactly count times per epoch). In
 * {@link LoaderOptions.Mode#RESAMPLED} the g-th sample is drawn uniformly from the epoch with a seed derived from
 * (seed, g) — with replacement, like open_clip's {@code --dataset-resampled}. Not thread-safe: one planner.
 */
final class SampleOrder {
    private final long seed;
    private final LoaderOptions.Mode mode;
    private final int[] slots; // entry index per epoch position, each entry repeated by its count
    private final Map<Long, int[]> permutations = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, int[]> eldest) {
            return size() > 2;
        }
    };

    SampleOrder(int[] repeat, long seed, LoaderOptions.Mode mode) {
        this.seed = seed;
        this.mode = mode;
        long epoch = 0;
        for (int r : repeat) {
            epoch += r;
        }
        if (epoch > Integer.MAX_VALUE - 8) {
            throw new BadInputException("epoch of " + epoch + " samples is too large for one loader");
        }
        slots = new int[(int) epoch];
        int k = 0;
        for (int i = 0; i < repeat.length; i++) {
            for (int r = 0; r < repeat[i]; r++) {
                slots[k++] = i;
            }
        }
    }

    /** Samples per epoch. */
    int epochSize() {
        return slots.length;
    }

    private int[] permutation(long epoch) {
        int[] p = permutations.get(epoch);
        if (p == null) {
            p = slots.clone();
            long mixed = SplitMix64.mix(seed ^ SplitMix64.mix(epoch + SplitMix64.GOLDEN_GAMMA));
            SplittableRandom r = new SplittableRandom(mixed);
            for (int i = p.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            permutations.put(epoch, p);
        }
        return p;
    }

    /** Entry index of the g-th sample of the stream. */
    int entryAt(long g) {
        long e = g / slots.length;
        int i = (int) (g % slots.length);
        if (mode == LoaderOptions.Mode.EPOCH) {
            return permutation(e)[i];
        }
        SplittableRandom r = new SplittableRandom(SplitMix64.mix(seed * 0x2545F4914F6CDD1DL
                ^ SplitMix64.mix(g ^ 0x632be59bd9b4e019L)));
        return slots[r.nextInt(slots.length)];
    }
}
