package org.qqt.filter;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.qqt.data.PoolMetadata;
import org.qqt.io.BadInputException;

/**
 * The ranked scores of a pool in memory, in the order the scan delivered them: a {@code float[]} for a FLOAT column
 * (4 bytes a row), a {@code double[]} for a DOUBLE one. Read through DuckDB's Arrow export in parallel parts
 * ({@link ArrowScan}) straight from Arrow's buffers; null and NaN scores are dropped. The scan also builds the first
 * histogram of the radix selection ({@link #descendingAt}) while each batch is in cache, so the selection reads the
 * array once more only for the few values that share a histogram bin with a wanted rank.
 */
final class ScoreColumn {
    /** Candidate sets up to this size are sorted instead of refined by another histogram pass. */
    static final int SORT_LIMIT = 1 << 20;
    private static final int BINS = 1 << 16;

    private final float[] f;
    private final double[] d;
    private final int n;
    /** Rows per top 16 bits of the unsigned key (the first selection pass), or null until needed. */
    private int[] top;
    /** Rows holding -0.0, which {@code >=} counts as equal to 0.0 although the keys order it below. */
    private long negativeZeros = -1;

    private ScoreColumn(float[] f, double[] d, int n, int[] top, long negativeZeros) {
        this.f = f;
        this.d = d;
        this.n = n;
        this.top = top;
        this.negativeZeros = negativeZeros;
    }

    /** Scores of a FLOAT column (tests). */
    static ScoreColumn of(float[] values) {
        return new ScoreColumn(values, null, values.length, null, -1);
    }

    /** Scores of a DOUBLE column (tests). */
    static ScoreColumn of(double[] values) {
        return new ScoreColumn(null, values, values.length, null, -1);
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
        int[] top = new int[BINS];
        long[] negativeZeros = new long[1];
        ArrowScan.scan(pool, score, where, params, threads, () -> new ArrowScan.Consumer() {
            final float[] fb = isFloat ? new float[ArrowScan.BATCH_ROWS] : null;
            final double[] db = isFloat ? null : new double[ArrowScan.BATCH_ROWS];
            final int[] hist = new int[BINS];
            long zeros;

            @Override
            public void accept(VectorSchemaRoot root) {
                FieldVector v = root.getVector(0);
                int len = root.getRowCount();
                long values = v.getDataBuffer().memoryAddress();
                long valid = v.getNullCount() > 0 ? v.getValidityBuffer().memoryAddress() : 0;
                int k;
                if (isFloat && v instanceof Float4Vector) {
                    k = floats(values, valid, len);
                } else if (!isFloat && v instanceof Float8Vector) {
                    k = doubles(values, valid, len);
                } else {
                    throw new IllegalStateException("the score column arrived as " + v.getField().getType());
                }
                int at = fill.getAndAdd(k);
                if (at + k > rows) {
                    throw new IllegalStateException("the score scan returned more rows than the pool has");
                }
                System.arraycopy(isFloat ? fb : db, 0, isFloat ? fs : ds, at, k);
            }

            /** Keeps the non-null, non-NaN values in fb and counts them in the histogram; returns how many. */
            private int floats(long values, long valid, int len) {
                int k = 0;
                for (int i = 0; i < len; i++) {
                    int b = MemoryUtil.getInt(values + 4L * i);
                    int keep = (b & Integer.MAX_VALUE) <= 0x7F800000 ? 1 : 0; // not NaN
                    if (valid != 0) {
                        keep &= MemoryUtil.getByte(valid + (i >>> 3)) >>> (i & 7);
                    }
                    fb[k] = Float.intBitsToFloat(b);
                    hist[((b ^ ((b >> 31) & Integer.MAX_VALUE)) >>> 16) ^ 0x8000] += keep;
                    zeros += b == Integer.MIN_VALUE ? keep : 0;
                    k += keep;
                }
                return k;
            }

            private int doubles(long values, long valid, int len) {
                int k = 0;
                for (int i = 0; i < len; i++) {
                    long b = MemoryUtil.getLong(values + 8L * i);
                    int keep = (b & Long.MAX_VALUE) <= 0x7FF0000000000000L ? 1 : 0;
                    if (valid != 0) {
                        keep &= MemoryUtil.getByte(valid + (i >>> 3)) >>> (i & 7);
                    }
                    db[k] = Double.longBitsToDouble(b);
                    hist[(int) ((b ^ ((b >> 63) & Long.MAX_VALUE)) >>> 48) ^ 0x8000] += keep;
                    zeros += b == Long.MIN_VALUE ? keep : 0;
                    k += keep;
                }
                return k;
            }

            @Override
            public void finish() {
                synchronized (top) {
                    for (int i = 0; i < BINS; i++) {
                        top[i] += hist[i];
                    }
                    negativeZeros[0] += zeros;
                }
            }
        });
        return new ScoreColumn(fs, ds, fill.get(), top, negativeZeros[0]);
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
     * The values at wanted indices of the descending order; for each the number of scores {@code >=} it (the rows
     * that {@code score >= value} keeps: ties with the value, and -0.0 for a value of 0.0, included); and the value
     * at descending index {@code atLeast} (the largest score that {@code score >= value} leaves out) when the
     * selection saw it among its sorted candidates, else NaN (also when no score is left out).
     */
    record Ranked(double[] values, long[] atLeast, double[] next) {}

    /**
     * The values at the given indices (each in 0..n-1) of the descending order, equal to
     * {@link Thresholds#descendingAt}, with their {@code >=} counts. Radix selection on the keys, 16 bits a pass: a
     * histogram pass (the first one is made by {@link #read} during the scan) narrows each wanted rank to one bin of
     * values; once the bins hold at most {@link #SORT_LIMIT} values they are collected and sorted. Uniform scores
     * need one more pass over the array and a sort of a few percent of the rows. The counts fall out of the same
     * passes: the rows below a wanted value are those of the lower bins plus those before its first copy in its
     * sorted bin.
     */
    Ranked descendingAt(long[] descIndices) {
        return descendingAt(descIndices, SORT_LIMIT);
    }

    /** {@link #descendingAt(long[])} with another sort limit (tests force the histogram passes with a small one). */
    Ranked descendingAt(long[] descIndices, int sortLimit) {
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
        long[] below = new long[m]; // values below the wanted one's first copy
        double[] next = new double[m]; // the value below the wanted one's first copy, where a sorted group shows it
        Arrays.fill(next, Double.NaN);
        Arrays.fill(groupSize, n);
        int keyBits = f != null ? 32 : 64;
        int[] top = new int[BINS]; // 1 + group index, by top 16 bits (when bits == 16)
        boolean[] topWanted = new boolean[BINS];
        long[] keys = new long[m];
        for (int bits = 0; ; bits += 16) {
            long[] groups = Arrays.stream(prefix).distinct().sorted().toArray();
            if (bits == keyBits) {
                for (int i = 0; i < m; i++) {
                    keys[i] = (prefix[i] << (64 - bits)) ^ Long.MIN_VALUE;
                    below[i] = rank[i] - within[i]; // the group is one key
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
                int b = bits;
                long[][] parts = inChunks((from, to) -> {
                    long[] part = new long[16];
                    int k = 0;
                    for (int i = from; i < to; i++) {
                        long key = key(i);
                        if (groupOf(key ^ Long.MIN_VALUE, b, groups, top, topWanted) >= 0) {
                            if (k == part.length) {
                                part = Arrays.copyOf(part, 2 * k);
                            }
                            part[k++] = key;
                        }
                    }
                    return Arrays.copyOf(part, k);
                }, long[][]::new);
                long[] c = new long[(int) total];
                int k = 0;
                for (long[] part : parts) {
                    System.arraycopy(part, 0, c, k, part.length);
                    k += part.length;
                }
                if (k != total) {
                    throw new IllegalStateException("collected " + k + " candidate scores, the histograms counted "
                            + total);
                }
                Arrays.parallelSort(c); // signed order = value order; the groups are contiguous, in prefix order
                long[] offset = new long[groups.length];
                for (int g = 1; g < groups.length; g++) {
                    offset[g] = offset[g - 1] + sizeOf[g - 1];
                }
                for (int i = 0; i < m; i++) {
                    int start = (int) offset[Arrays.binarySearch(groups, prefix[i])];
                    int at = (int) (start + within[i]);
                    keys[i] = c[at];
                    int first = at;
                    while (first > start && c[first - 1] == keys[i]) {
                        first--;
                    }
                    below[i] = rank[i] - within[i] + (first - start);
                    int j = first - 1;
                    while (j >= start && isPositiveZero(keys[i]) && valueOf(c[j]) == 0.0) {
                        j--; // -0.0 is left in by score >= 0.0
                    }
                    if (j >= start) {
                        next[i] = valueOf(c[j]);
                    }
                }
                break;
            }
            // histogram of the next 16 bits within each group
            int[][] h = new int[groups.length][];
            int shift = 48 - bits;
            if (bits == 0) {
                h[0] = topHistogram();
            } else {
                int b = bits;
                int[][][] parts = inChunks((from, to) -> {
                    int[][] hp = new int[groups.length][BINS];
                    for (int i = from; i < to; i++) {
                        long u = key(i) ^ Long.MIN_VALUE;
                        int g = groupOf(u, b, groups, top, topWanted);
                        if (g >= 0) {
                            hp[g][(int) (u >>> shift) & 0xFFFF]++;
                        }
                    }
                    return hp;
                }, int[][][]::new);
                for (int g = 0; g < groups.length; g++) {
                    h[g] = new int[BINS];
                    for (int[][] hp : parts) {
                        for (int v = 0; v < BINS; v++) {
                            h[g][v] += hp[g][v];
                        }
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
            long[] refined = Arrays.stream(prefix).distinct().sorted().toArray();
            for (int g = 0; g < refined.length; g++) {
                int t = (int) (refined[g] >>> bits); // top 16 bits of the new (bits + 16)-bit prefix
                topWanted[t] = true;
                top[t] = g + 1;
            }
        }
        double[] out = new double[m];
        long[] atLeast = new long[m];
        for (int i = 0; i < m; i++) {
            out[i] = valueOf(keys[i]);
            // -0.0 >= 0.0 although its key is below; no other pair of distinct keys compares equal
            atLeast[i] = n - below[i] + (isPositiveZero(keys[i]) ? negativeZeros() : 0);
            if (atLeast[i] == n) {
                next[i] = Double.NaN; // nothing is left out (a -0.0 the group showed is kept by >= 0.0)
            }
        }
        return new Ranked(out, atLeast, next);
    }

    private boolean isPositiveZero(long key) {
        double v = valueOf(key);
        return v == 0.0 && Double.doubleToRawLongBits(v) == 0;
    }

    /** A pass over rows [from, to) that returns its part of the result. */
    private interface Chunk<T> {
        T over(int from, int to);
    }

    /**
     * Runs a pass over all rows in chunks on all cores (one chunk per core, at least 2^20 rows a chunk); the
     * results in row order.
     */
    private <T> T[] inChunks(Chunk<T> pass, java.util.function.IntFunction<T[]> array) {
        int chunks = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), n >> 20));
        return java.util.stream.IntStream.range(0, chunks).parallel()
                .mapToObj(c -> pass.over((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)))
                .toArray(array);
    }

    /** Rows per top 16 bits of the unsigned key (made by the scan, or here for a column built in memory). */
    private int[] topHistogram() {
        if (top == null) {
            int[] h = new int[BINS];
            for (int i = 0; i < n; i++) {
                h[(int) ((key(i) ^ Long.MIN_VALUE) >>> 48)]++;
            }
            top = h;
        }
        return top;
    }

    /** Rows holding -0.0. */
    long negativeZeros() {
        if (negativeZeros < 0) {
            long z = 0;
            for (int i = 0; i < n; i++) {
                z += f != null ? (Float.floatToRawIntBits(f[i]) == Integer.MIN_VALUE ? 1 : 0)
                        : (Double.doubleToRawLongBits(d[i]) == Long.MIN_VALUE ? 1 : 0);
            }
            negativeZeros = z;
        }
        return negativeZeros;
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
}
