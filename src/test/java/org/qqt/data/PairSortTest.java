package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class PairSortTest {
    /** The expected order: a plain sort of the pairs as Uids (unsigned hi, then unsigned lo). */
    private static long[] sortedCopy(long[] a, int n) {
        Uid[] u = new Uid[n];
        for (int i = 0; i < n; i++) {
            u[i] = new Uid(a[2 * i], a[2 * i + 1]);
        }
        Arrays.sort(u, Comparator.naturalOrder());
        long[] out = Arrays.copyOf(a, a.length);
        for (int i = 0; i < n; i++) {
            out[2 * i] = u[i].hi();
            out[2 * i + 1] = u[i].lo();
        }
        return out;
    }

    private static long[] pairs(int n, LongSupplier hi, LongSupplier lo) {
        long[] a = new long[2 * n + 2];
        for (int i = 0; i < n; i++) {
            a[2 * i] = hi.getAsLong();
            a[2 * i + 1] = lo.getAsLong();
        }
        a[2 * n] = 42; // beyond n: must stay where it is
        a[2 * n + 1] = -42;
        return a;
    }

    private static void assertSortsLikeUids(long[] a, int n) {
        for (int threads : new int[] {1, 2, 3}) {
            long[] got = a.clone();
            PairSort.sort(got, n, PairSort.scratchFor(n), threads);
            assertArrayEquals(sortedCopy(a, n), got, n + " pairs, " + threads + " threads");
        }
    }

    @Test
    void randomUidsWithRepeatsAndBothSignsSortAsUnsigned() {
        Random r = new Random(1);
        int n = 300_000; // radix passes split in parts
        long[] a = pairs(n, r::nextLong, r::nextLong);
        for (int i = 0; i < n; i += 97) { // repeats
            a[2 * i] = a[2 * (i / 2)];
            a[2 * i + 1] = a[2 * (i / 2) + 1];
        }
        assertSortsLikeUids(a, n);
    }

    @Test
    void uidsSharingTheirTopBitsAreSortedByTheWholeKey() {
        Random r = new Random(2);
        int n = 100_000;
        // every upper half equal in its top 32 bits (one long run for the fix-up), low bits and lower halves vary;
        // and sequential uids (0000...0001, 0000...0002, ...), the shape of hand-made test ids
        assertSortsLikeUids(pairs(n, () -> 0xABCD_EF01_0000_0000L | r.nextInt(1000), r::nextLong), n);
        long[] next = {0};
        assertSortsLikeUids(pairs(n, () -> 0, () -> n - next[0]++), n);
        assertSortsLikeUids(pairs(n, () -> r.nextInt(3) - 1L, () -> r.nextInt(5) - 2L), n);
    }

    @Test
    void smallArraysAndEdgeSizesSort() {
        Random r = new Random(3);
        for (int n : new int[] {0, 1, 2, 17, PairSort.RADIX_MIN - 1, PairSort.RADIX_MIN, PairSort.RADIX_MIN + 1}) {
            assertSortsLikeUids(pairs(n, r::nextLong, r::nextLong), n);
        }
    }

    @Test
    void tooSmallArraysAreRefused() {
        int n = PairSort.RADIX_MIN;
        assertThrows(IllegalArgumentException.class, () -> PairSort.sort(new long[2 * n - 1], n, new long[2 * n], 1));
        assertThrows(IllegalArgumentException.class, () -> PairSort.sort(new long[2 * n], n, new long[2 * n - 2], 1));
    }
}
