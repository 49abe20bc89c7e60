package org.qqt.filter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import org.qqt.data.PairSort;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.io.BadInputException;
import org.qqt.io.Futures;

/**
 * The filter's default path: two scans of the pool whatever the number of buckets.
 * <ol>
 *   <li>The score column alone, into a {@link ScoreColumn}; thresholds by radix selection, whose passes also
 *       count the rows of every segment (the distinct thresholds cut the score axis into segments; every bucket is
 *       a run of segments). A bucket's rows are a run of ranks, so its score extremes are two more ranks.</li>
 *   <li>One streaming {@code SELECT uid, score} ({@link ArrowUids}: DuckDB's Arrow export, uids decoded straight
 *       from its buffers), rows of no bucket's score envelope left out by DuckDB; each row's segment comes from its
 *       score in Java, by the comparison the ranking counted with. Each scan worker gathers its rows per bucket in
 *       small buffers and appends them, without locks, to per-bucket arrays of exactly the counted size, or, when
 *       the buckets together hold more than the memory budget, to one spill file of 16-byte pairs per bucket.</li>
 *   <li>Per bucket: sort as unsigned pairs on all cores ({@link PairSort}), optional random subsample, and hand the
 *       {@code .npy} to a writer thread, so that buckets are written while the next one is sorted.</li>
 * </ol>
 * The uids decoded per segment are checked against the counts of step 1, so DuckDB and Java must agree on every
 * comparison.
 */
final class OnePassFilter {
    /** Pairs a scan worker gathers per bucket before it appends them to the bucket. */
    private static final int CHUNK = 4096;
    /**
     * Threads writing bucket files: two, so that one file's flush to disk overlaps the next file's write (measured
     * at 128M rows: deciles' wait for writes 3.6 s with one writer, 1.6 s with two).
     */
    private static final int WRITERS = 2;
    /** Buckets sorted but not yet written, at most (each holds its array until written). */
    private static final int PENDING_WRITES = WRITERS + 1;

    /**
     * Default limit on the uids held in memory at once (16 bytes each), the sort's scratch for the largest bucket
     * included: 60% of the JVM's maximum heap (a 4 GiB heap holds 161M uids: every decile of 128M rows and the
     * scratch), at least 2^25 (512 MiB).
     */
    static long memoryBudgetUids() {
        return Math.max(1L << 25, (long) (Runtime.getRuntime().maxMemory() * 0.6) / 16);
    }

    /** The most rows of one bucket: its interleaved (hi, lo) pairs fill one Java array. */
    static final long MAX_BUCKET_ROWS = (Integer.MAX_VALUE - 8) / 2;

    private OnePassFilter() {}

    /**
     * The ranking: N, each bucket's bounds {low, high}, the distinct thresholds (descending), per segment its row
     * count and the buckets it feeds (null: none), per bucket its row count and score extremes (NaN when empty).
     */
    record Plan(long n, Double[][] bounds, double[] desc, long[] segCount, int[][] segBuckets, long[] inRange,
                double[] min, double[] max) {
        /** Rows of the largest bucket. */
        long largest() {
            return Arrays.stream(inRange).max().orElse(0);
        }
    }

    /** Step 1: reads the scores ({@code workers} scan workers) and ranks them; writes nothing. */
    static Plan plan(PoolMetadata pool, FilterSpec spec, String score, String captionWhere, List<Object> params,
                     int workers, FilterPhases phases) {
        phases.start();
        String type = pool.schema().get(spec.scoreColumn()).toUpperCase(Locale.ROOT);
        boolean isFloat = type.equals("FLOAT") || type.equals("REAL");
        ScoreColumn scores = ScoreColumn.read(pool, score, captionWhere.isEmpty() ? "true" : captionWhere, params,
                isFloat, workers);
        phases.end(FilterPhases.Phase.SCORES);
        long n = scores.size();
        if (n == 0) {
            throw BadInputException.inFile(pool.origin(), "no row has a " + spec.scoreColumn()
                    + " score" + (spec.caption().active() ? " and a caption passing the caption filter" : ""));
        }
        List<ScoreRange> ranges = spec.buckets();
        int m = ranges.size();
        long[] needed = java.util.stream.LongStream.concat(java.util.stream.LongStream.of(0, n - 1), // the extremes
                ranges.stream().flatMapToLong(r -> java.util.stream.LongStream.of(
                        Thresholds.index(n, r.fromPercent()), Thresholds.index(n, r.toPercent()))))
                .filter(k -> k < n).distinct().sorted().toArray();
        ScoreColumn.Ranked ranked = scores.descendingAt(needed);
        double[] at = ranked.values();
        Double[][] bounds = new Double[m][];
        for (int b = 0; b < m; b++) {
            ScoreRange r = ranges.get(b);
            bounds[b] = new Double[] {Thresholds.at(Thresholds.index(n, r.toPercent()), n, needed, at),
                r.fromPercent() == 0 ? null : Thresholds.at(Thresholds.index(n, r.fromPercent()), n, needed, at)};
        }
        double[] asc = Arrays.stream(bounds).flatMap(Arrays::stream).filter(x -> x != null)
                .mapToDouble(Double::doubleValue).distinct().sorted().toArray();
        int d = asc.length;
        double[] desc = new double[d];
        long[] atLeast = new long[d]; // rows with score >= desc[s]
        double[] next = new double[d]; // the largest score below desc[s] (NaN: the selection did not see it)
        for (int s = 0; s < d; s++) {
            desc[s] = asc[d - 1 - s];
            int i = indexOf(at, desc[s]);
            atLeast[s] = ranked.atLeast()[i];
            next[s] = ranked.next()[i];
        }
        // segment s holds desc[s] <= v < desc[s-1]
        long[] segCount = new long[d + 1];
        for (int s = 0; s <= d; s++) {
            segCount[s] = (s < d ? atLeast[s] : n) - (s > 0 ? atLeast[s - 1] : 0);
        }

        long[] inRange = new long[m];
        List<List<Integer>> bucketsOf = new ArrayList<>();
        for (int s = 0; s <= d; s++) {
            bucketsOf.add(new ArrayList<>());
        }
        for (int b = 0; b < m; b++) {
            for (int s = firstSegment(desc, bounds[b]); s <= lastSegment(desc, bounds[b]); s++) {
                inRange[b] += segCount[s];
                bucketsOf.get(s).add(b);
            }
            if (inRange[b] > MAX_BUCKET_ROWS) {
                throw BadInputException.inFile(pool.origin(), "bucket " + ranges.get(b).label() + " has "
                        + inRange[b] + " rows, more than qqt filter sorts in one bucket (" + MAX_BUCKET_ROWS
                        + "); use narrower ranges or split the pool");
            }
        }
        int[][] segBuckets = new int[d + 1][];
        for (int s = 0; s <= d; s++) {
            segBuckets[s] = bucketsOf.get(s).isEmpty() || segCount[s] == 0 ? null
                    : bucketsOf.get(s).stream().mapToInt(Integer::intValue).toArray();
        }
        // a bucket holds the descending ranks [above, above + inRange): its max is the value at rank `above` (the
        // largest score the threshold above it leaves out, mostly seen by the selection already), its min the
        // threshold below it (-0.0 when that is 0.0 and -0.0 occurs) or the lowest score
        boolean[] boundsAbove = new boolean[d]; // desc[s] is the threshold right above a non-empty bucket
        for (int b = 0; b < m; b++) {
            int first = firstSegment(desc, bounds[b]);
            if (first > 0 && inRange[b] > 0) {
                boundsAbove[first - 1] = true;
            }
        }
        long[] unseen = IntStream.range(0, d).filter(s -> boundsAbove[s] && Double.isNaN(next[s]))
                .mapToLong(s -> atLeast[s]).distinct().sorted().toArray();
        if (unseen.length > 0) { // a threshold was the smallest value of its histogram bin: one more selection
            double[] values = scores.descendingAt(unseen).values();
            for (int s = 0; s < d; s++) {
                if (boundsAbove[s] && Double.isNaN(next[s])) {
                    next[s] = values[Arrays.binarySearch(unseen, atLeast[s])];
                }
            }
        }
        double[] min = new double[m];
        double[] max = new double[m];
        for (int b = 0; b < m; b++) {
            int first = firstSegment(desc, bounds[b]);
            int last = lastSegment(desc, bounds[b]);
            boolean empty = inRange[b] == 0;
            max[b] = empty ? Double.NaN : first == 0 ? at[Arrays.binarySearch(needed, 0)] : next[first - 1];
            min[b] = empty ? Double.NaN : last == d ? at[Arrays.binarySearch(needed, n - 1)]
                    : Double.doubleToRawLongBits(desc[last]) == 0 && scores.negativeZeros() > 0 ? -0.0 : desc[last];
        }
        phases.end(FilterPhases.Phase.RANK);
        return new Plan(n, bounds, desc, segCount, segBuckets, inRange, min, max);
    }

    /** Bucket with bounds {low, high} = segments first..last. */
    private static int firstSegment(double[] desc, Double[] bounds) {
        return bounds[1] == null ? 0 : indexOf(desc, bounds[1]) + 1;
    }

    private static int lastSegment(double[] desc, Double[] bounds) {
        return bounds[0] == null ? desc.length : indexOf(desc, bounds[0]);
    }

    /** Steps 2 and 3: exports the uids once and writes every bucket's file into {@code stage}. */
    static BucketResult[] write(PoolMetadata pool, FilterSpec spec, Plan plan, String score, String uid,
                                String where, List<Object> params, Path stage, long budgetUids, int workers,
                                FilterPhases phases) throws IOException {
        phases.start();
        int d = plan.desc().length;
        int[][] segBuckets = plan.segBuckets();
        long[] inRange = plan.inRange();
        Buckets store = Arrays.stream(inRange).sum() + plan.largest() <= budgetUids ? new InMemory(inRange)
                : new Spilled(inRange, stage);
        phases.end(FilterPhases.Phase.STORE);
        try {
            long[] seen = new long[d + 1];
            if (Arrays.stream(segBuckets).anyMatch(x -> x != null)) {
                List<Object> p = new ArrayList<>(params);
                String rows = where + envelope(score, plan.desc(), segBuckets, p);
                ArrowUids.scan(pool, uid, score, rows, p, workers,
                        () -> new Router(plan.desc(), segBuckets, inRange.length, store, seen));
            }
            for (int s = 0; s <= d; s++) {
                if (segBuckets[s] != null && seen[s] != plan.segCount()[s]) {
                    throw new IllegalStateException("segment " + s + ": DuckDB exported " + seen[s]
                            + " uids, Java counted " + plan.segCount()[s] + " scores");
                }
            }
            store.finishWriting();
            phases.end(FilterPhases.Phase.UIDS);
            return finish(spec, plan, store, stage, phases);
        } finally {
            store.close();
        }
    }

    /**
     * Sorts (on all cores), samples and writes every bucket in turn; writer threads write the buckets before while
     * the next one is sorted.
     */
    private static BucketResult[] finish(FilterSpec spec, Plan plan, Buckets store, Path stage, FilterPhases phases)
            throws IOException {
        List<ScoreRange> ranges = spec.buckets();
        int m = ranges.size();
        int cores = Runtime.getRuntime().availableProcessors();
        long[] scratch = PairSort.scratchFor((int) plan.largest());
        phases.end(FilterPhases.Phase.STORE);
        BucketResult[] results = new BucketResult[m];
        ExecutorService writer = Executors.newFixedThreadPool(WRITERS, r -> {
            Thread t = new Thread(r, "qqt-filter-write");
            t.setDaemon(true);
            return t;
        });
        Deque<Future<long[]>> pending = new ArrayDeque<>();
        Deque<long[]> spare = new ArrayDeque<>(); // arrays written out, for a store that reads into given arrays
        try {
            for (int b = 0; b < m; b++) {
                int count = (int) plan.inRange()[b];
                long[] pairs = store.take(b, spare.pollFirst());
                phases.end(FilterPhases.Phase.UIDS); // reading a spill file back
                PairSort.sort(pairs, count, scratch, cores);
                long[] out = pairs;
                int rows = count;
                if (spec.randomPercent() != null) {
                    rows = (int) (count * (spec.randomPercent() / 100.0));
                    out = SubsetSampling.sample(pairs, count, rows, spec.seed());
                }
                ScoreRange r = ranges.get(b);
                String file = spec.fileName(r);
                phases.end(FilterPhases.Phase.SORT);
                while (pending.size() >= PENDING_WRITES) {
                    long[] done = Futures.await(pending.removeFirst(), "writing buckets");
                    if (store.readsIntoGivenArrays()) {
                        spare.add(done);
                    }
                }
                phases.end(FilterPhases.Phase.WRITE);
                long[] written = out;
                int writtenRows = rows;
                pending.addLast(writer.submit(() -> {
                    SubsetFile.writePairs(stage.resolve(file), written, writtenRows);
                    return pairs;
                }));
                results[b] = new BucketResult(r.label(), file, r.fromPercent(), r.toPercent(), plan.bounds()[b][0],
                        plan.bounds()[b][1], count, rows, rows / (double) plan.n(), count == 0 ? null : plan.min()[b],
                        count == 0 ? null : plan.max()[b]);
            }
            while (!pending.isEmpty()) {
                Futures.await(pending.removeFirst(), "writing buckets");
            }
            phases.end(FilterPhases.Phase.WRITE);
            return results;
        } finally {
            writer.shutdownNow();
        }
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

    /**
     * The segment of score v: the number of thresholds above it, i.e. the first s with {@code v >= desc[s]}. Up to
     * 32 thresholds (every real bucket spec) it counts {@code v < desc[j]} without branches, which unpredictable
     * scores would mispredict; above, a binary search.
     */
    static int segmentOf(double v, double[] desc) {
        if (desc.length <= 32) {
            int s = 0;
            for (double x : desc) {
                s += v < x ? 1 : 0;
            }
            return s;
        }
        int lo = 0;
        int hi = desc.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (v < desc[mid]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int indexOf(double[] desc, double v) {
        for (int i = 0; i < desc.length; i++) {
            if (Double.compare(desc[i], v) == 0) {
                return i;
            }
        }
        throw new IllegalStateException("threshold " + v + " not among the segment bounds");
    }

    /** One scan worker's rows, routed to their buckets through a small buffer per bucket. */
    private static final class Router implements ArrowUids.Sink {
        private final double[] desc;
        private final int[][] segBuckets;
        private final Buckets store;
        private final long[] total;
        private final long[] seen;
        private final long[][] buffer;
        private final int[] fill;

        Router(double[] desc, int[][] segBuckets, int buckets, Buckets store, long[] total) {
            this.desc = desc;
            this.segBuckets = segBuckets;
            this.store = store;
            this.total = total;
            seen = new long[segBuckets.length];
            buffer = new long[buckets][];
            fill = new int[buckets];
        }

        @Override
        public void accept(long[] hi, long[] lo, double[] score, int n) {
            for (int i = 0; i < n; i++) {
                int s = segmentOf(score[i], desc);
                int[] buckets = segBuckets[s];
                if (buckets == null) {
                    continue; // the score envelope lets rows of unused segments through
                }
                seen[s]++;
                for (int b : buckets) {
                    long[] buf = buffer[b];
                    if (buf == null) {
                        buf = buffer[b] = new long[2 * CHUNK];
                    }
                    int k = fill[b];
                    buf[2 * k] = hi[i];
                    buf[2 * k + 1] = lo[i];
                    if (++k == CHUNK) {
                        store.add(b, buf, k);
                        k = 0;
                    }
                    fill[b] = k;
                }
            }
        }

        @Override
        public void finish() {
            for (int b = 0; b < fill.length; b++) {
                if (fill[b] > 0) {
                    store.add(b, buffer[b], fill[b]);
                    fill[b] = 0;
                }
            }
            synchronized (total) {
                for (int s = 0; s < seen.length; s++) {
                    total[s] += seen[s];
                }
            }
        }
    }

    /** Where the decoded uids wait for their bucket's sort: interleaved (hi, lo) pairs. */
    private interface Buckets extends AutoCloseable {
        /** Appends the first {@code k} pairs of {@code pairs} to bucket b; called by several workers at once. */
        void add(int b, long[] pairs, int k);

        /** Called once after the last {@link #add}; checks the counts. */
        void finishWriting() throws IOException;

        /**
         * Bucket b's pairs, interleaved, in arrival order; the store forgets them. A store that reads them from
         * elsewhere puts them into {@code reuse} when it is not null and large enough.
         */
        long[] take(int b, long[] reuse) throws IOException;

        /** Whether {@link #take} puts the pairs into a given array (worth handing it arrays already written). */
        default boolean readsIntoGivenArrays() {
            return false;
        }

        @Override
        void close();
    }

    /** Reserves room in a bucket of {@code counts[b]} pairs; fails when a bucket gets more rows than counted. */
    private static long reserve(AtomicLongArray next, long[] counts, int b, int k) {
        long at = next.getAndAdd(b, k);
        if (at + k > counts[b]) {
            throw new IllegalStateException("bucket has more rows than counted (" + counts[b] + ")");
        }
        return at;
    }

    private static void checkFilled(AtomicLongArray next, long[] counts) {
        for (int b = 0; b < counts.length; b++) {
            if (next.get(b) != counts[b]) {
                throw new IllegalStateException("bucket has " + next.get(b) + " rows, counted " + counts[b]);
            }
        }
    }

    /** An array of exactly the counted size per bucket. */
    private static final class InMemory implements Buckets {
        private final long[] counts;
        private final long[][] pairs;
        private final AtomicLongArray next;

        InMemory(long[] counts) {
            this.counts = counts;
            pairs = new long[counts.length][];
            for (int b = 0; b < counts.length; b++) {
                pairs[b] = new long[(int) (2 * counts[b])];
            }
            next = new AtomicLongArray(counts.length);
        }

        @Override
        public void add(int b, long[] src, int k) {
            System.arraycopy(src, 0, pairs[b], (int) (2 * reserve(next, counts, b, k)), 2 * k);
        }

        @Override
        public void finishWriting() {
            checkFilled(next, counts);
        }

        @Override
        public synchronized long[] take(int b, long[] reuse) {
            long[] out = pairs[b];
            pairs[b] = null;
            return out;
        }

        @Override
        public void close() {}
    }

    /** One file of little-endian (hi, lo) pairs per bucket in the staging directory, written at reserved offsets. */
    private static final class Spilled implements Buckets {
        private static final int READ_BUFFER = 1 << 20;
        private final long[] counts;
        private final AtomicLongArray next;
        private final Path[] files;
        private final FileChannel[] channels;
        private final ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(
                () -> ByteBuffer.allocateDirect(16 * CHUNK).order(ByteOrder.LITTLE_ENDIAN));

        Spilled(long[] counts, Path stage) throws IOException {
            int m = counts.length;
            this.counts = counts;
            next = new AtomicLongArray(m);
            files = new Path[m];
            channels = new FileChannel[m];
            for (int b = 0; b < m; b++) {
                files[b] = stage.resolve("bucket-" + b + ".pairs");
                channels[b] = FileChannel.open(files[b], StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            }
        }

        @Override
        public void add(int b, long[] src, int k) {
            long at = reserve(next, counts, b, k);
            ByteBuffer buf = buffers.get();
            buf.clear();
            buf.asLongBuffer().put(src, 0, 2 * k);
            buf.limit(16 * k);
            try {
                long pos = 16 * at;
                while (buf.hasRemaining()) {
                    pos += channels[b].write(buf, pos);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot spill uids to " + files[b] + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void finishWriting() {
            checkFilled(next, counts);
        }

        @Override
        public boolean readsIntoGivenArrays() {
            return true;
        }

        @Override
        public long[] take(int b, long[] reuse) throws IOException {
            long[] out = reuse != null && reuse.length >= 2 * counts[b] ? reuse : new long[(int) (2 * counts[b])];
            ByteBuffer buf = ByteBuffer.allocateDirect(READ_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
            long pos = 0;
            int i = 0;
            int longs = (int) (2 * counts[b]);
            while (i < longs) {
                buf.clear();
                buf.limit((int) Math.min(READ_BUFFER, 8L * (longs - i)));
                while (buf.hasRemaining()) {
                    int r = channels[b].read(buf, pos);
                    if (r < 0) {
                        throw new IOException(files[b] + " ends after " + i / 2 + " of " + counts[b] + " pairs");
                    }
                    pos += r;
                }
                buf.flip();
                int got = buf.remaining() / 8;
                buf.asLongBuffer().get(out, i, got);
                i += got;
            }
            channels[b].close();
            Files.delete(files[b]);
            return out;
        }

        @Override
        public void close() {
            for (FileChannel c : channels) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // the staging directory is deleted anyway
                }
            }
        }
    }
}
