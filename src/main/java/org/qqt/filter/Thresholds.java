package org.qqt.filter;

import java.util.Arrays;

/**
 * DataComp's fraction-to-threshold rule over an array of scores: threshold(f) is the score at index
 * {@code (long) (N * f)} of the scores sorted descending (Python: {@code -np.sort(-x)[int(len(x) * f)]}), found by
 * selection instead of a full sort. {@code f} is {@code percent / 100.0} in double arithmetic, as Python computes
 * {@code int(len * fraction)}.
 */
public final class Thresholds {
    private Thresholds() {}

    /** Index into the descending order that fixes the threshold of {@code percent}; ≥ n means "no threshold". */
    public static long index(long n, double percent) {
        return (long) (n * (percent / 100.0));
    }

    /**
     * The threshold at descending index {@code k} of {@code n} ranked rows, given the values {@code at} computed at
     * the indices {@code needed}: null (no threshold) when {@code k >= n}.
     */
    public static Double at(long k, long n, long[] needed, double[] at) {
        if (k >= n) {
            return null;
        }
        for (int i = 0; i < needed.length; i++) {
            if (needed[i] == k) {
                return at[i];
            }
        }
        throw new IllegalStateException("threshold index " + k + " not computed");
    }

    /**
     * The values at the given descending-order indices (each in 0..n-1). Reorders {@code scores}.
     */
    public static double[] descendingAt(double[] scores, long[] descIndices) {
        int n = scores.length;
        int[] asc = new int[descIndices.length];
        for (int i = 0; i < asc.length; i++) {
            if (descIndices[i] < 0 || descIndices[i] >= n) {
                throw new IllegalArgumentException("index " + descIndices[i] + " outside 0.." + (n - 1));
            }
            asc[i] = (int) (n - 1 - descIndices[i]);
        }
        int[] order = asc.clone();
        Arrays.sort(order);
        int from = 0;
        for (int k : order) {
            if (k >= from) {
                select(scores, from, n - 1, k);
                from = k; // everything at or after k is ≥ scores[k]; later ranks lie in [k, n)
            }
        }
        double[] out = new double[asc.length];
        for (int i = 0; i < asc.length; i++) {
            out[i] = scores[asc[i]];
        }
        return out;
    }

    /** Quickselect: afterwards a[k] is the k-th smallest of a[lo..hi], smaller ones before it, larger after. */
    static void select(double[] a, int lo, int hi, int k) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(k);
        while (hi > lo) {
            int p = lo + rnd.nextInt(hi - lo + 1);
            double pivot = a[p];
            // three-way partition: [lo, lt) < pivot, [lt, gt] == pivot, (gt, hi] > pivot
            int lt = lo;
            int gt = hi;
            int i = lo;
            while (i <= gt) {
                int c = Double.compare(a[i], pivot);
                if (c < 0) {
                    swap(a, lt++, i++);
                } else if (c > 0) {
                    swap(a, i, gt--);
                } else {
                    i++;
                }
            }
            if (k < lt) {
                hi = lt - 1;
            } else if (k > gt) {
                lo = gt + 1;
            } else {
                return;
            }
        }
    }

    private static void swap(double[] a, int i, int j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
