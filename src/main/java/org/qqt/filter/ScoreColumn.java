package org.qqt.filter;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.qqt.data.PoolMetadata;
import org.qqt.io.BadInputException;

/**
 * The ranked scores of a pool in memory, in the order the scan delivered them: a {@code float[]} for a FLOAT column (4 bytes a row), a
 * {@code double[]} for a DOUBLE one. Read through DuckDB's Arrow export in parallel parts ({@link ArrowScan}); null
 * and NaN scores are dropped. Thresholds come from a
 * radix selection over order-preserving integer keys, which leaves the array in scan order.
 */
final class ScoreColumn {
    /** Candidate sets up to this size are sorted instead of refined by another histogram pass. */
    static final int SORT_LIMIT = 1 << 20;

    private final float[] f;
    private final double[] d;
    private final int n;

    private ScoreColumn(float[] f, double[] d, int n) {
        this.f = f;
        this.d = d;
        this.n = n;
    }

    /** Scores of a FLOAT column (tests). */
    static ScoreColumn of(float[] values) {
        return new ScoreColumn(values, null, values.length);
    }

    /** Scores of a DOUBLE column (tests). */
    static ScoreColumn of(double[] values) {
        return new ScoreColumn(null, values, values.length);
    }

    /**
     * Reads the non-null, non-NaN values of the FLOAT or DOUBLE column {@code score} over the rows of the pool that
     * pass {@code where}, with {@code threads} workers ({@link ArrowScan}); the order is the scan's, whatever it is.
     */
    static ScoreColumn read(PoolMetadata pool, String score, String where, List<Object> params, boolean isFloat,
                            int threads) {
        long rows = pool.rowCount();
        if (rows > Integer.MAX_VALUE - 8) {
            throw BadInputException.inFile(pool.origin(), rows + " rows are more than one filter run can rank; "
                    + "split the pool into parts of at most " + (Integer.MAX_VALUE - 8) + " rows");
        }
        float[] fs = isFloat ? new float[(int) rows] : null;
        double[] ds = isFloat ? null : new double[(int) rows];
        AtomicInteger fill = new AtomicInteger();
        ArrowScan.scan(pool, score, where, params, threads, () -> {
            float[] fb = isFloat ? new float[ArrowScan.BATCH_ROWS] : null;
            double[] db = isFloat ? null : new double[ArrowScan.BATCH_ROWS];
            return root -> {
                FieldVector v = root.getVector(0);
                int len = root.getRowCount();
                boolean nulls = v.getNullCount() > 0;
                int k = 0;
                if (isFloat && v instanceof Float4Vector f4) {
                    for (int i = 0; i < len; i++) {
                        float x = nulls && f4.isNull(i) ? Float.NaN : f4.get(i);
                        fb[k] = x;
                        k += x == x ? 1 : 0; // drop null and NaN
                    }
                } else if (!isFloat && v instanceof Float8Vector f8) {
                    for (int i = 0; i < len; i++) {
                        double x = nulls && f8.isNull(i) ? Double.NaN : f8.get(i);
                        db[k] = x;
                        k += x == x ? 1 : 0;
                    }
                } else {
                    throw new IllegalStateException("the score column arrived as " + v.getField().getType());
                }
                int at = fill.getAndAdd(k);
                if (at + k > rows) {
                    throw new IllegalStateException("the score scan returned more rows than the pool has");
                }
                System.arraycopy(isFloat ? fb : db, 0, isFloat ? fs : ds, at, k);
            };
        });
        return new ScoreColumn(fs, ds, fill.get());
    }

    int size() {
        return n;
    }

    double get(int i) {
        return f != null ? f[i] : d[i];
    }

    /** A signed long whose order is {@link Double#compare}'s order of the values (-0.0 before 0.0). */
    long key(int i) {
        if (f != null) {
            int b = Float.floatToRawIntBits(f[i]);
            return (long) (b ^ ((b >> 31) & Integer.MAX_VALUE)) << 32;
        }
        long b = Double.doubleToRawLongBits(d[i]);
        return b ^ ((b >> 63) & Long.MAX_VALUE);
    }

    private double valueOf(long key) {
        if (f != null) {
            int k = (int) (key >> 32);
            return Float.intBitsToFloat(k ^ ((k >> 31) & Integer.MAX_VALUE));
        }
        return Double.longBitsToDouble(key ^ ((key >> 63) & Long.MAX_VALUE));
    }

    /**
     * The values at the given indices (each in 0..n-1) of the descending order, equal to
     * {@link Thresholds#descendingAt}. Radix selection on the keys, 16 bits a pass: a histogram pass narrows each
     * wanted rank to one bucket of values; once the buckets hold at most {@link #SORT_LIMIT} values they are
     * collected and sorted. Uniform scores need one histogram pass and a sort of a few percent of the rows.
     */
    double[] descendingAt(long[] descIndices) {
        return descendingAt(descIndices, SORT_LIMIT);
    }

    /** {@link #descendingAt(long[])} with another sort limit (tests force the histogram passes with a small one). */
    double[] descendingAt(long[] descIndices, int sortLimit) {
        int m = descIndices.length;
        long[] rank = new long[m];
        for (int i = 0; i < m; i++) {
            if (descIndices[i] < 0 || descIndices[i] >= n) {
                throw new IllegalArgumentException("index " + descIndices[i] + " outside 0.." + (n - 1));
            }
            rank[i] = n - 1 - descIndices[i];
        }
        long[] prefix = new long[m]; // the top `bits` bits of the unsigned key (key ^ MIN_VALUE) at each rank
        long[] within = rank.clone(); // rank among the values sharing that prefix
        long[] groupSize = new long[m];
        Arrays.fill(groupSize, n);
        int keyBits = f != null ? 32 : 64;
        int[] top = new int[1 << 16]; // 1 + group index, by top 16 bits (when bits == 16)
        boolean[] topWanted = new boolean[1 << 16];
        long[] keys = new long[m];
        for (int bits = 0; ; bits += 16) {
            long[] groups = Arrays.stream(prefix).distinct().sorted().toArray();
            if (bits == keyBits) {
                for (int i = 0; i < m; i++) {
                    keys[i] = (prefix[i] << (64 - bits)) ^ Long.MIN_VALUE;
                }
                break;
            }
            long total = 0;
            long[] sizeOf = new long[groups.length];
            for (int i = 0; i < m; i++) {
                sizeOf[Arrays.binarySearch(groups, prefix[i])] = groupSize[i];
            }
            for (long s : sizeOf) {
                total += s;
            }
            if (total <= sortLimit) {
                long[] c = new long[(int) total];
                int k = 0;
                for (int i = 0; i < n; i++) {
                    long key = key(i);
                    if (groupOf(key ^ Long.MIN_VALUE, bits, groups, top, topWanted) >= 0) {
                        c[k++] = key;
                    }
                }
                Arrays.sort(c); // signed order = value order; the groups are contiguous, in prefix order
                long[] offset = new long[groups.length];
                for (int g = 1; g < groups.length; g++) {
                    offset[g] = offset[g - 1] + sizeOf[g - 1];
                }
                for (int i = 0; i < m; i++) {
                    keys[i] = c[(int) (offset[Arrays.binarySearch(groups, prefix[i])] + within[i])];
                }
                break;
            }
            // histogram of the next 16 bits within each group
            int[][] h = new int[groups.length][1 << 16];
            int shift = 48 - bits;
            if (f != null && bits == 0) {
                int[] h0 = h[0];
                for (int i = 0; i < n; i++) {
                    int b = Float.floatToRawIntBits(f[i]);
                    h0[((b ^ ((b >> 31) & Integer.MAX_VALUE)) >>> 16) ^ 0x8000]++;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    long u = key(i) ^ Long.MIN_VALUE;
                    int g = groupOf(u, bits, groups, top, topWanted);
                    if (g >= 0) {
                        h[g][(int) (u >>> shift) & 0xFFFF]++;
                    }
                }
            }
            for (int i = 0; i < m; i++) {
                int[] hg = h[Arrays.binarySearch(groups, prefix[i])];
                int bin = 0;
                while (within[i] >= hg[bin]) {
                    within[i] -= hg[bin++];
                }
                prefix[i] = (prefix[i] << 16) | bin;
                groupSize[i] = hg[bin];
            }
            // lookup tables for the next pass, keyed by the top 16 bits
            Arrays.fill(top, 0);
            Arrays.fill(topWanted, false);
            long[] next = Arrays.stream(prefix).distinct().sorted().toArray();
            for (int g = 0; g < next.length; g++) {
                int t = (int) (next[g] >>> bits); // top 16 bits of the new (bits + 16)-bit prefix
                topWanted[t] = true;
                top[t] = g + 1;
            }
        }
        double[] out = new double[m];
        for (int i = 0; i < m; i++) {
            out[i] = valueOf(keys[i]);
        }
        return out;
    }

    /** Index in {@code groups} of the unsigned key's top {@code bits} bits, or -1. */
    private static int groupOf(long u, int bits, long[] groups, int[] top, boolean[] topWanted) {
        if (bits == 0) {
            return 0;
        }
        int t = (int) (u >>> 48);
        if (!topWanted[t]) {
            return -1;
        }
        if (bits == 16) {
            return top[t] - 1;
        }
        int g = Arrays.binarySearch(groups, u >>> (64 - bits));
        return g >= 0 ? g : -1;
    }

    /** Row counts and score extremes of the segments cut by descending thresholds. */
    record Segments(long[] count, double[] min, double[] max) {}

    /**
     * Segment s of thresholds t[0] &gt; t[1] &gt; ... holds the scores with {@code t[s] <= v < t[s-1]}: segment 0
     * is {@code v >= t[0]}, segment t.length is {@code v < t[last]}.
     */
    Segments segments(double[] t) {
        int d = t.length;
        int chunks = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), n / (1 << 20)));
        Segments[] parts = java.util.stream.IntStream.range(0, chunks).parallel()
                .mapToObj(c -> segments(t, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)))
                .toArray(Segments[]::new);
        Segments all = parts[0];
        for (int c = 1; c < chunks; c++) {
            for (int s = 0; s <= d; s++) {
                all.count()[s] += parts[c].count()[s];
                all.min()[s] = Math.min(all.min()[s], parts[c].min()[s]);
                all.max()[s] = Math.max(all.max()[s], parts[c].max()[s]);
            }
        }
        return all;
    }

    private Segments segments(double[] t, int from, int to) {
        int d = t.length;
        long[] count = new long[d + 1];
        double[] min = new double[d + 1];
        double[] max = new double[d + 1];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int i = from; i < to; i++) {
            double v = get(i);
            int s = segmentOf(v, t);
            count[s]++;
            min[s] = Math.min(min[s], v);
            max[s] = Math.max(max[s], v);
        }
        return new Segments(count, min, max);
    }

    /**
     * The number of thresholds above v, i.e. the first s with {@code v >= t[s]}. Up to 32 thresholds (every
     * real bucket spec) it counts {@code v < t[j]} without branches, which unpredictable scores would mispredict;
     * above, a binary search.
     */
    static int segmentOf(double v, double[] t) {
        if (t.length <= 32) {
            int s = 0;
            for (double x : t) {
                s += v < x ? 1 : 0;
            }
            return s;
        }
        int lo = 0;
        int hi = t.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (v < t[mid]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
