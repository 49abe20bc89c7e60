package org.qqt.filter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.io.BadInputException;

/**
 * The filter's default path: two scans of the pool whatever the number of buckets.
 * <ol>
 *   <li>The score column alone, into a {@link ScoreColumn}; thresholds by radix selection, then each row's
 *       segment (the distinct thresholds cut the score axis into segments; every bucket is a run of segments)
 *       gives the per-bucket counts and score extremes.</li>
 *   <li>One streaming {@code SELECT uid, score} ({@link ArrowUids}: DuckDB's Arrow export, uids decoded straight
 *       from its buffers), rows of no bucket's score envelope left out by DuckDB; each row's segment comes from
 *       its score in Java. The uids go into per-bucket arrays of exactly the counted size, or, when the buckets
 *       together hold more than the memory budget, into one spill file of 16-byte pairs per bucket.</li>
 *   <li>Per bucket (in parallel): sort as unsigned pairs, optional random subsample, write the {@code .npy}.</li>
 * </ol>
 * Counts decoded from the file are checked against the counts of step 1, so DuckDB and Java must agree on every
 * comparison.
 */
final class OnePassFilter {
    /**
     * Default limit on the uids held in memory at once (16 bytes each): a third of the JVM's maximum heap (a 4 GiB
     * heap holds 89M uids; the sort of a bucket needs a copy of it), at least 2^25 (512 MiB).
     */
    static long memoryBudgetUids() {
        return Math.max(1L << 25, Runtime.getRuntime().maxMemory() / 3 / 16);
    }

    private OnePassFilter() {}

    /**
     * The ranking: N, each bucket's bounds {low, high}, the distinct thresholds (descending), per segment its row
     * count and the buckets it feeds (null: none), per bucket its row count and score extremes.
     */
    record Plan(long n, Double[][] bounds, double[] desc, long[] segCount, int[][] segBuckets, long[] inRange,
                double[] min, double[] max) {}

    /** Step 1: reads the scores ({@code workers} scan workers) and ranks them; writes nothing. */
    static Plan plan(PoolMetadata pool, FilterSpec spec, String score, String captionWhere, List<Object> params,
                     int workers) {
        String type = pool.schema().get(spec.scoreColumn()).toUpperCase(Locale.ROOT);
        boolean isFloat = type.equals("FLOAT") || type.equals("REAL");
        ScoreColumn scores = ScoreColumn.read(pool, score, captionWhere.isEmpty() ? "true" : captionWhere, params,
                isFloat, workers);
        long n = scores.size();
        if (n == 0) {
            throw BadInputException.inFile(pool.origin(), "no row has a " + spec.scoreColumn()
                    + " score" + (spec.caption().active() ? " and a caption passing the caption filter" : ""));
        }
        List<ScoreRange> ranges = spec.buckets();
        int m = ranges.size();
        long[] needed = ranges.stream().flatMapToLong(r -> java.util.stream.LongStream.of(
                Thresholds.index(n, r.fromPercent()), Thresholds.index(n, r.toPercent())))
                .filter(k -> k < n).distinct().sorted().toArray();
        double[] at = scores.descendingAt(needed);
        Double[][] bounds = new Double[m][];
        for (int b = 0; b < m; b++) {
            ScoreRange r = ranges.get(b);
            bounds[b] = new Double[] {thresholdOf(Thresholds.index(n, r.toPercent()), n, needed, at),
                r.fromPercent() == 0 ? null : thresholdOf(Thresholds.index(n, r.fromPercent()), n, needed, at)};
        }
        double[] asc = Arrays.stream(at).distinct().sorted().toArray();
        int d = asc.length;
        double[] desc = new double[d];
        for (int i = 0; i < d; i++) {
            desc[i] = asc[d - 1 - i];
        }
        ScoreColumn.Segments seg = scores.segments(desc);
        scores = null; // the uid pass does not need them

        long[] inRange = new long[m];
        double[] min = new double[m];
        double[] max = new double[m];
        List<List<Integer>> bucketsOf = new ArrayList<>();
        for (int s = 0; s <= d; s++) {
            bucketsOf.add(new ArrayList<>());
        }
        for (int b = 0; b < m; b++) {
            // bucket b = segments first..last
            int first = bounds[b][1] == null ? 0 : indexOf(desc, bounds[b][1]) + 1;
            int last = bounds[b][0] == null ? d : indexOf(desc, bounds[b][0]);
            min[b] = Double.POSITIVE_INFINITY;
            max[b] = Double.NEGATIVE_INFINITY;
            for (int s = first; s <= last; s++) {
                inRange[b] += seg.count()[s];
                min[b] = Math.min(min[b], seg.min()[s]);
                max[b] = Math.max(max[b], seg.max()[s]);
                bucketsOf.get(s).add(b);
            }
            if (inRange[b] > Integer.MAX_VALUE - 8) {
                throw BadInputException.inFile(pool.origin(), "bucket " + ranges.get(b).label() + " has "
                        + inRange[b] + " rows, more than one subset file can hold; split the pool");
            }
        }
        int[][] segBuckets = new int[d + 1][];
        for (int s = 0; s <= d; s++) {
            segBuckets[s] = bucketsOf.get(s).isEmpty() || seg.count()[s] == 0 ? null
                    : bucketsOf.get(s).stream().mapToInt(Integer::intValue).toArray();
        }
        return new Plan(n, bounds, desc, seg.count(), segBuckets, inRange, min, max);
    }

    /** Steps 2 and 3: exports the uids once and writes every bucket's file into {@code stage}. */
    static BucketResult[] write(PoolMetadata pool, FilterSpec spec, Plan plan, String score, String uid,
                                String where, List<Object> params, Path stage, long budgetUids, int workers)
            throws IOException {
        List<ScoreRange> ranges = spec.buckets();
        int d = plan.desc().length;
        int[][] segBuckets = plan.segBuckets();
        long[] inRange = plan.inRange();

        Buckets store = Arrays.stream(inRange).sum() <= budgetUids ? new InMemory(inRange) : new Spilled(inRange, stage);
        try {
            long[] seen = new long[d + 1];
            if (Arrays.stream(segBuckets).anyMatch(x -> x != null)) {
                double[] desc = plan.desc();
                List<Object> p = new ArrayList<>(params);
                String rows = where + envelope(score, desc, segBuckets, p);
                ArrowUids.scan(pool, uid, score, rows, p, workers, (hi, lo, v, n) -> {
                    int[] seg = new int[n];
                    for (int i = 0; i < n; i++) {
                        seg[i] = ScoreColumn.segmentOf(v[i], desc);
                    }
                    synchronized (store) {
                        for (int i = 0; i < n; i++) {
                            int[] buckets = segBuckets[seg[i]];
                            if (buckets != null) { // the score envelope lets rows of unused segments through
                                seen[seg[i]]++;
                                for (int b : buckets) {
                                    store.add(b, hi[i], lo[i]);
                                }
                            }
                        }
                    }
                });
            }
            for (int s = 0; s <= d; s++) {
                if (segBuckets[s] != null && seen[s] != plan.segCount()[s]) {
                    throw new IllegalStateException("segment " + s + ": DuckDB exported " + seen[s]
                            + " uids, Java counted " + plan.segCount()[s] + " scores");
                }
            }
            store.finishWriting();
            return finish(spec, ranges, plan.bounds(), inRange, plan.min(), plan.max(), plan.n(), store, stage);
        } finally {
            store.close();
        }
    }

    /** Sorts, samples and writes every bucket, up to {@code min(cores, 4)} at a time. */
    private static BucketResult[] finish(FilterSpec spec, List<ScoreRange> ranges, Double[][] bounds, long[] inRange,
                                         double[] min, double[] max, long n, Buckets store, Path stage) {
        int m = ranges.size();
        BucketResult[] results = new BucketResult[m];
        int threads = Math.max(1, Math.min(Math.min(Runtime.getRuntime().availableProcessors(), 4), m));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "qqt-filter-bucket");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int b = 0; b < m; b++) {
                int bb = b;
                jobs.add(pool.submit(() -> {
                    long[][] pairs = store.take(bb);
                    SubsetFile subset = SubsetFile.fromPairs(pairs[0], pairs[1]);
                    pairs = null;
                    if (spec.randomPercent() != null) {
                        subset = ScoreFilter.sample(subset, (long) (subset.size() * (spec.randomPercent() / 100.0)),
                                spec.seed());
                    }
                    ScoreRange r = ranges.get(bb);
                    String file = spec.fileName(r);
                    subset.write(stage.resolve(file));
                    results[bb] = new BucketResult(r.label(), file, r.fromPercent(), r.toPercent(), bounds[bb][0],
                            bounds[bb][1], inRange[bb], subset.size(), subset.size() / (double) n,
                            inRange[bb] == 0 ? null : min[bb], inRange[bb] == 0 ? null : max[bb]);
                    return null;
                }));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing buckets", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return results;
    }

    /**
     * {@code AND <score envelope of the used segments>}: lets DuckDB skip rows while scanning; each row's segment
     * is then found in Java from the score it sends, with the same comparisons as the ranking. Appends the
     * envelope's parameters to {@code p}.
     */
    private static String envelope(String score, double[] desc, int[][] segBuckets, List<Object> p) {
        int d = desc.length;
        int lowest = d;
        while (lowest >= 0 && segBuckets[lowest] == null) {
            lowest--;
        }
        int highest = 0;
        while (highest <= d && segBuckets[highest] == null) {
            highest++;
        }
        StringBuilder envelope = new StringBuilder();
        if (lowest >= 0 && lowest < d) {
            envelope.append(" AND ").append(score).append(" >= ?");
            p.add(desc[lowest]);
        }
        if (highest <= d && highest > 0) {
            envelope.append(" AND ").append(score).append(" < ?");
            p.add(desc[highest - 1]);
        }
        return envelope.toString();
    }

    private static int indexOf(double[] desc, double v) {
        for (int i = 0; i < desc.length; i++) {
            if (Double.compare(desc[i], v) == 0) {
                return i;
            }
        }
        throw new IllegalStateException("threshold " + v + " not among the segment bounds");
    }

    private static Double thresholdOf(long k, long n, long[] needed, double[] at) {
        if (k >= n) {
            return null;
        }
        return at[Arrays.binarySearch(needed, k)];
    }

    /** Where the decoded uids wait for their bucket's sort. */
    private interface Buckets extends AutoCloseable {
        void add(int b, long hi, long lo);

        /** Called once after the last {@link #add}; checks the counts. */
        void finishWriting() throws IOException;

        /** Bucket b's pairs {hi[], lo[]}, in arrival order; the store forgets them. */
        long[][] take(int b) throws IOException;

        @Override
        void close();
    }

    /** Arrays of exactly the counted size per bucket. */
    private static final class InMemory implements Buckets {
        private final long[][] hi;
        private final long[][] lo;
        private final int[] fill;

        InMemory(long[] counts) {
            int m = counts.length;
            hi = new long[m][];
            lo = new long[m][];
            fill = new int[m];
            for (int b = 0; b < m; b++) {
                hi[b] = new long[(int) counts[b]];
                lo[b] = new long[(int) counts[b]];
            }
        }

        @Override
        public void add(int b, long h, long l) {
            int i = fill[b]++;
            if (i >= hi[b].length) {
                throw new IllegalStateException("bucket has more rows than counted (" + hi[b].length + ")");
            }
            hi[b][i] = h;
            lo[b][i] = l;
        }

        @Override
        public void finishWriting() {
            for (int b = 0; b < fill.length; b++) {
                if (fill[b] != hi[b].length) {
                    throw new IllegalStateException("bucket has " + fill[b] + " rows, counted " + hi[b].length);
                }
            }
        }

        @Override
        public synchronized long[][] take(int b) {
            long[][] out = {hi[b], lo[b]};
            hi[b] = null;
            lo[b] = null;
            return out;
        }

        @Override
        public void close() {}
    }

    /** One file of little-endian (hi, lo) pairs per bucket in the staging directory, written through a buffer. */
    private static final class Spilled implements Buckets {
        private static final int BUFFER = 1 << 18;
        private final long[] counts;
        private final long[] written;
        private final Path[] files;
        private final FileChannel[] channels;
        private final ByteBuffer[] buffers;

        Spilled(long[] counts, Path stage) throws IOException {
            int m = counts.length;
            this.counts = counts;
            written = new long[m];
            files = new Path[m];
            channels = new FileChannel[m];
            buffers = new ByteBuffer[m];
            for (int b = 0; b < m; b++) {
                files[b] = stage.resolve("bucket-" + b + ".pairs");
                channels[b] = FileChannel.open(files[b], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                buffers[b] = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
            }
        }

        @Override
        public void add(int b, long h, long l) {
            if (++written[b] > counts[b]) {
                throw new IllegalStateException("bucket has more rows than counted (" + counts[b] + ")");
            }
            ByteBuffer buf = buffers[b];
            buf.putLong(h).putLong(l);
            if (!buf.hasRemaining()) {
                drain(b);
            }
        }

        private void drain(int b) {
            ByteBuffer buf = buffers[b];
            buf.flip();
            try {
                while (buf.hasRemaining()) {
                    channels[b].write(buf);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot spill uids to " + files[b] + ": " + e.getMessage(), e);
            }
            buf.clear();
        }

        @Override
        public void finishWriting() throws IOException {
            for (int b = 0; b < counts.length; b++) {
                if (written[b] != counts[b]) {
                    throw new IllegalStateException("bucket has " + written[b] + " rows, counted " + counts[b]);
                }
                drain(b);
                channels[b].close();
                buffers[b] = null;
            }
        }

        @Override
        public long[][] take(int b) throws IOException {
            int k = (int) counts[b];
            long[] h = new long[k];
            long[] l = new long[k];
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            int i = 0;
            try (FileChannel ch = FileChannel.open(files[b], StandardOpenOption.READ)) {
                while (i < k) {
                    if (ch.read(buf) < 0) {
                        throw new IOException(files[b] + " ends after " + i + " of " + k + " pairs");
                    }
                    buf.flip();
                    while (buf.remaining() >= 16 && i < k) {
                        h[i] = buf.getLong();
                        l[i++] = buf.getLong();
                    }
                    buf.compact();
                }
            }
            Files.delete(files[b]);
            return new long[][] {h, l};
        }

        @Override
        public void close() {
            for (FileChannel c : channels) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (IOException ignored) {
                    // the staging directory is deleted anyway
                }
            }
        }
    }
}
