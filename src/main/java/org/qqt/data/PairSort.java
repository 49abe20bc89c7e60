package org.qqt.data;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Sorts uids held as interleaved pairs ({@code a[2i]} = upper 64 bits, {@code a[2i+1]} = lower 64 bits), the
 * layout of a subset file's rows, as unsigned 128-bit numbers.
 *
 * <p>Large arrays: four stable LSD counting-sort passes over the top 32 bits of the upper half (8 bits a pass: 256
 * bins keep the scatter's write streams in cache, measured 1.6x faster than two passes of 16 bits; parallel
 * histograms and scatters), which leave the array sorted by those 32 bits, then each run of equal top bits is
 * sorted by the whole key (insertion sort for short runs, quicksort for long ones, so no input is
 * quadratic). Uids are hashes, so runs are almost always of length 1 and the fix-up is one pass. A pass whose digit
 * is the same for every row is skipped. Small arrays: quicksort. Equal uids stay (repeats).
 */
public final class PairSort {
    /** Below this many rows a plain quicksort is used. */
    static final int RADIX_MIN = 1 << 12;
    /** Runs of equal top bits up to this length are insertion-sorted. */
    private static final int INSERTION_MAX = 24;
    private static final int DIGIT_BITS = 8;
    private static final int BINS = 1 << DIGIT_BITS;

    private PairSort() {}

    /**
     * Sorts the first {@code n} pairs of {@code a} in place. {@code scratch} holds at least {@code 2n} longs (its
     * contents are overwritten); {@code threads} is the parallelism of the counting passes.
     */
    public static void sort(long[] a, int n, long[] scratch, int threads) {
        if (a.length < 2L * n) {
            throw new IllegalArgumentException(a.length + " longs hold fewer than " + n + " pairs");
        }
        if (n < RADIX_MIN) {
            quicksort(a, 0, n - 1);
            return;
        }
        if (scratch.length < 2L * n) {
            throw new IllegalArgumentException("scratch of " + scratch.length + " longs for " + n + " pairs");
        }
        int parts = Math.max(1, Math.min(threads, n / RADIX_MIN));
        long[] src = a;
        long[] dst = scratch;
        for (int shift = 32; shift < 64; shift += DIGIT_BITS) {
            if (pass(src, dst, n, shift, parts)) {
                long[] t = src;
                src = dst;
                dst = t;
            }
        }
        if (src != a) {
            System.arraycopy(src, 0, a, 0, 2 * n);
        }
        fixRuns(a, n, parts);
    }

    /** A scratch array big enough to {@link #sort} up to {@code n} pairs (empty when they are quicksorted). */
    public static long[] scratchFor(int n) {
        return new long[n < RADIX_MIN ? 0 : 2 * n];
    }

    /** A new array: the pairs (hi[i], lo[i]) interleaved. */
    public static long[] interleave(long[] hi, long[] lo, int n) {
        long[] a = new long[2 * n];
        for (int i = 0; i < n; i++) {
            a[2 * i] = hi[i];
            a[2 * i + 1] = lo[i];
        }
        return a;
    }

    /**
     * One stable counting-sort pass of {@code src} into {@code dst} by the digit of the upper half at
     * {@code shift}; returns false (and leaves {@code dst} alone) when every row has the same digit.
     */
    private static boolean pass(long[] src, long[] dst, int n, int shift, int parts) {
        int[][] count = new int[parts][];
        run(parts, p -> {
            int[] c = new int[BINS];
            for (int i = from(n, parts, p), to = from(n, parts, p + 1); i < to; i++) {
                c[(int) (src[2 * i] >>> shift) & (BINS - 1)]++;
            }
            count[p] = c;
        });
        int used = 0;
        for (int b = 0; b < BINS && used < 2; b++) {
            for (int p = 0; p < parts; p++) {
                if (count[p][b] > 0) {
                    used++;
                    break;
                }
            }
        }
        if (used < 2) {
            return false;
        }
        // start of part p's rows of digit b: all rows of smaller digits, then parts before p of digit b
        int at = 0;
        for (int b = 0; b < BINS; b++) {
            for (int p = 0; p < parts; p++) {
                int c = count[p][b];
                count[p][b] = at;
                at += c;
            }
        }
        run(parts, p -> {
            int[] next = count[p];
            for (int i = from(n, parts, p), to = from(n, parts, p + 1); i < to; i++) {
                long h = src[2 * i];
                int j = next[(int) (h >>> shift) & (BINS - 1)]++;
                dst[2 * j] = h;
                dst[2 * j + 1] = src[2 * i + 1];
            }
        });
        return true;
    }

    /** Sorts every run of rows whose top 32 bits are equal; the parts start at run boundaries. */
    private static void fixRuns(long[] a, int n, int parts) {
        int[] start = new int[parts + 1];
        start[parts] = n;
        for (int p = 1; p < parts; p++) {
            int s = Math.max(from(n, parts, p), start[p - 1]);
            while (s > 0 && s < n && (a[2 * s] >>> 32) == (a[2 * s - 2] >>> 32)) {
                s++;
            }
            start[p] = s;
        }
        run(parts, p -> {
            int i = start[p];
            int end = start[p + 1];
            while (i < end) {
                int j = i + 1;
                long top = a[2 * i] >>> 32;
                while (j < end && (a[2 * j] >>> 32) == top) {
                    j++;
                }
                if (j - i > 1) {
                    quicksort(a, i, j - 1);
                }
                i = j;
            }
        });
    }

    private static int from(int n, int parts, int p) {
        return (int) ((long) n * p / parts);
    }

    private interface Part {
        void run(int p);
    }

    /** Runs parts 0..parts-1, all but the first in the common pool, the first in this thread. */
    private static void run(int parts, Part body) {
        if (parts == 1) {
            body.run(0);
            return;
        }
        RecursiveAction[] tasks = new RecursiveAction[parts - 1];
        for (int p = 1; p < parts; p++) {
            int pp = p;
            tasks[p - 1] = new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(pp);
                }
            };
            ForkJoinPool.commonPool().execute(tasks[p - 1]);
        }
        body.run(0);
        for (RecursiveAction t : tasks) {
            t.join();
        }
    }

    static boolean less(long h1, long l1, long h2, long l2) {
        return h1 != h2 ? Long.compareUnsigned(h1, h2) < 0 : Long.compareUnsigned(l1, l2) < 0;
    }

    /** Quicksort (median of three) of pairs from..to inclusive, insertion sort below a few dozen rows. */
    static void quicksort(long[] a, int from, int to) {
        while (to - from > INSERTION_MAX) {
            int mid = (from + to) >>> 1;
            if (less(a[2 * mid], a[2 * mid + 1], a[2 * from], a[2 * from + 1])) {
                swap(a, mid, from);
            }
            if (less(a[2 * to], a[2 * to + 1], a[2 * from], a[2 * from + 1])) {
                swap(a, to, from);
            }
            if (less(a[2 * to], a[2 * to + 1], a[2 * mid], a[2 * mid + 1])) {
                swap(a, to, mid);
            }
            long ph = a[2 * mid];
            long pl = a[2 * mid + 1];
            int i = from;
            int j = to;
            while (i <= j) {
                while (less(a[2 * i], a[2 * i + 1], ph, pl)) {
                    i++;
                }
                while (less(ph, pl, a[2 * j], a[2 * j + 1])) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i++, j--);
                }
            }
            // recurse into the smaller side, loop on the larger
            if (j - from < to - i) {
                quicksort(a, from, j);
                from = i;
            } else {
                quicksort(a, i, to);
                to = j;
            }
        }
        for (int i = from + 1; i <= to; i++) {
            long h = a[2 * i];
            long l = a[2 * i + 1];
            int j = i - 1;
            while (j >= from && less(h, l, a[2 * j], a[2 * j + 1])) {
                a[2 * j + 2] = a[2 * j];
                a[2 * j + 3] = a[2 * j + 1];
                j--;
            }
            a[2 * j + 2] = h;
            a[2 * j + 3] = l;
        }
    }

    private static void swap(long[] a, int i, int j) {
        long h = a[2 * i];
        long l = a[2 * i + 1];
        a[2 * i] = a[2 * j];
        a[2 * i + 1] = a[2 * j + 1];
        a[2 * j] = h;
        a[2 * j + 1] = l;
    }
}
