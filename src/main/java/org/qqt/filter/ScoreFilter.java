package org.qqt.filter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

/**
 * The filter stage: ranks a pool's rows by a score column and writes quality buckets as DataComp subset files.
 *
 * <ol>
 *   <li>Rows count when their score is neither null nor NaN and their caption passes the {@link CaptionFilter};
 *       N is their number.</li>
 *   <li>threshold(f) = the score at index {@code (long) (N * f)} of the scores sorted descending (DataComp's
 *       {@code get_threshold}); for f = 1 there is no threshold.</li>
 *   <li>Range [p, q) keeps {@code threshold(q) <= score < threshold(p)} (no upper bound for p = 0). Consecutive
 *       ranges therefore partition the ranked rows exactly; rows tied with a threshold all go to the higher
 *       bucket, so a bucket can hold a little more than its share (and the one below a little less), exactly as
 *       DataComp's {@code score >= threshold} keeps every tie.</li>
 *   <li>{@code --random r}: of a bucket's n rows, {@code (long) (n * r / 100.0)} are drawn without replacement by
 *       selection sampling over the rows in uid order with {@code java.util.Random(seed)}, fresh for every
 *       bucket, so the draw is reproducible and independent of DuckDB's scan order.</li>
 * </ol>
 * Each bucket is written to a staging directory first; when all are written they are renamed into place and
 * {@code manifest.json} is written last. A failure leaves the output directory as it was.
 */
public final class ScoreFilter {
    private static final String WORD_COUNT = "len(regexp_extract_all(%s, '\\S+'))";

    private ScoreFilter() {}

    /** How the selected uids leave DuckDB. */
    enum UidTransfer {
        /**
         * The default ({@link OnePassFilter}): the score column once into Java (thresholds, counts), then one
         * streaming {@code SELECT uid, score} for all buckets through DuckDB's Arrow export, split in Java.
         */
        ONE_PASS,
        /** {@link #ONE_PASS} with one scan worker instead of one per core: what the parallel parts give. */
        ONE_PASS_ONE_WORKER,
        /**
         * The previous default, kept as the same-run baseline of {@code qqt bench filter}: thresholds by SQL over
         * a sample, then one {@code COPY (SELECT uid ... WHERE score in range) TO 'bucket.csv'} per bucket (one
         * scan of the uid column per bucket), read back by a byte loop and sorted in Java.
         */
        EXPORT,
        /** One JDBC row per uid (a Java String each, ~1 µs a row): the straightforward reference path. */
        ROWS
    }

    public static FilterManifest run(PoolMetadata pool, FilterSpec spec, Path outDir, String command) {
        return run(pool, spec, outDir, command, UidTransfer.ONE_PASS);
    }

    static FilterManifest run(PoolMetadata pool, FilterSpec spec, Path outDir, String command, UidTransfer transfer) {
        return run(pool, spec, outDir, command, transfer, OnePassFilter.memoryBudgetUids());
    }

    /** {@code budgetUids}: for {@link UidTransfer#ONE_PASS}, the most uids held in memory before spilling. */
    static FilterManifest run(PoolMetadata pool, FilterSpec spec, Path outDir, String command, UidTransfer transfer,
                              long budgetUids) {
        return run(pool, spec, outDir, command, transfer, budgetUids, FilterPhases.NONE);
    }

    /** {@code phases} records where the time of the default path goes (the other paths record nothing). */
    static FilterManifest run(PoolMetadata pool, FilterSpec spec, Path outDir, String command, UidTransfer transfer,
                              long budgetUids, FilterPhases phases) {
        String score = pool.floatColumn(spec.scoreColumn());
        String uid = pool.requireUidColumn();
        List<Object> params = new ArrayList<>();
        String captionWhere = "";
        if (spec.caption().active()) {
            String text = pool.column("text");
            if (!"VARCHAR".equalsIgnoreCase(pool.schema().get("text"))) {
                throw BadInputException.inFile(pool.origin(), "column 'text' is " + pool.schema().get("text")
                        + "; the caption filter needs captions as text");
            }
            captionWhere = String.format(WORD_COUNT, text) + " >= ? AND length(" + text + ") >= ?";
            params.add(spec.caption().minWords());
            params.add(spec.caption().minChars());
        }
        // The bucket queries need "NOT isnan": DuckDB orders NaN above every number, so "score >= ?" alone would
        // select NaN rows. The score fetch drops nulls and NaNs in Java instead (cheaper than in SQL).
        String where = score + " IS NOT NULL AND NOT isnan(" + score + ")"
                + (captionWhere.isEmpty() ? "" : " AND " + captionWhere);
        if (transfer == UidTransfer.ONE_PASS || transfer == UidTransfer.ONE_PASS_ONE_WORKER) {
            int workers = transfer == UidTransfer.ONE_PASS ? Runtime.getRuntime().availableProcessors() : 1;
            return onePass(pool, spec, outDir, command, score, uid, where, captionWhere, params, budgetUids, workers,
                    phases);
        }
        Ranking rk = transfer == UidTransfer.EXPORT ? rankInDuckDb(pool, spec, score, where, params, 0, -1)
                : rankInJava(pool, spec, score, captionWhere, params);
        long n = rk.n();
        List<ScoreRange> ranges = spec.buckets();
        int m = ranges.size();
        List<Double[]> bounds = rk.bounds();
        long[] inRange = rk.inRange();
        double[] min = rk.min();
        double[] max = rk.max();

        BucketResult[] results = new BucketResult[m];
        publish(outDir, stage -> {
            if (transfer == UidTransfer.EXPORT) {
                exportBuckets(pool, spec, ranges, bounds, inRange, min, max, n, score, uid, where, params, stage,
                        results);
            }
            // one scan per group of disjoint buckets: a CASE names each row's bucket (reading the uid column once
            // per scan is what costs; per-bucket queries would decode it once per bucket)
            for (List<Integer> pass : transfer == UidTransfer.EXPORT ? List.<List<Integer>>of() : disjointPasses(ranges)) {
                StringBuilder cases = new StringBuilder("CASE");
                List<Object> p = new ArrayList<>();
                for (int i = 0; i < pass.size(); i++) {
                    Double low = bounds.get(pass.get(i))[0];
                    Double high = bounds.get(pass.get(i))[1];
                    cases.append(" WHEN ");
                    if (low == null && high == null) {
                        cases.append("TRUE");
                    } else if (low == null) {
                        cases.append(score).append(" < ?");
                        p.add(high);
                    } else if (high == null) {
                        cases.append(score).append(" >= ?");
                        p.add(low);
                    } else {
                        cases.append(score).append(" >= ? AND ").append(score).append(" < ?");
                        p.add(low);
                        p.add(high);
                    }
                    cases.append(" THEN ").append(i);
                }
                cases.append(" END");
                p.addAll(params);
                // the pass's score envelope, so that DuckDB can filter while scanning (a CASE cannot be pushed down)
                StringBuilder envelope = new StringBuilder();
                Double envLow = pass.stream().map(b -> bounds.get(b)[0]).anyMatch(x -> x == null) ? null
                        : pass.stream().mapToDouble(b -> bounds.get(b)[0]).min().orElseThrow();
                Double envHigh = pass.stream().map(b -> bounds.get(b)[1]).anyMatch(x -> x == null) ? null
                        : pass.stream().mapToDouble(b -> bounds.get(b)[1]).max().orElseThrow();
                if (envLow != null) {
                    envelope.append(" AND ").append(score).append(" >= ?");
                    p.add(envLow);
                }
                if (envHigh != null) {
                    envelope.append(" AND ").append(score).append(" < ?");
                    p.add(envHigh);
                }
                String sql = "SELECT qqt_bucket, qqt_uid FROM (SELECT " + cases + " AS qqt_bucket, " + uid
                        + " AS qqt_uid FROM pool WHERE " + where + envelope + ") WHERE qqt_bucket IS NOT NULL";
                long[] expected = pass.stream().mapToLong(b -> inRange[b]).toArray();
                long[][][] pairs = fetchUids(pool, sql, p, expected);
                for (int i = 0; i < pass.size(); i++) {
                    int b = pass.get(i);
                    ScoreRange r = ranges.get(b);
                    SubsetFile subset = SubsetFile.fromPairs(pairs[i][0], pairs[i][1]);
                    pairs[i] = null;
                    if (spec.randomPercent() != null) {
                        subset = sample(subset, (long) (subset.size() * (spec.randomPercent() / 100.0)), spec.seed());
                    }
                    String file = spec.fileName(r);
                    subset.write(stage.resolve(file));
                    results[b] = new BucketResult(r.label(), file, r.fromPercent(), r.toPercent(), bounds.get(b)[0],
                            bounds.get(b)[1], inRange[b], subset.size(), subset.size() / (double) n,
                            inRange[b] == 0 ? null : min[b], inRange[b] == 0 ? null : max[b]);
                }
            }
            return results;
        });
        return writeManifest(pool, spec, outDir, command, n, results);
    }

    private static FilterManifest onePass(PoolMetadata pool, FilterSpec spec, Path outDir, String command,
                                          String score, String uid, String where, String captionWhere,
                                          List<Object> params, long budgetUids, int workers, FilterPhases phases) {
        OnePassFilter.Plan plan = OnePassFilter.plan(pool, spec, score, captionWhere, params, workers, phases);
        BucketResult[] results = publish(outDir, stage -> OnePassFilter.write(pool, spec, plan, score, uid, where,
                params, stage, budgetUids, workers, phases));
        return writeManifest(pool, spec, outDir, command, plan.n(), results);
    }

    private static FilterManifest writeManifest(PoolMetadata pool, FilterSpec spec, Path outDir, String command,
                                                long n, BucketResult[] results) {
        FilterManifest manifest = new FilterManifest(FilterManifest.FORMAT, 1,
                pool.files().stream().map(f -> f.toAbsolutePath().normalize().toString()).toList(),
                spec.scoreColumn(), pool.rowCount(), n, FilterManifest.RULE,
                spec.caption().active() ? spec.caption() : null, spec.randomPercent(), spec.seed(), command,
                List.of(results));
        Json.write(outDir.resolve("manifest.json"), manifest);
        return manifest;
    }

    /**
     * Test hook: bounds, counts and extremes of the Java ranking ({@code samplePercent} &lt; 0) or of the DuckDB
     * ranking with the given sample percentage and bracket margin (in sample rows), so that narrow brackets force
     * the exact correction steps.
     */
    static List<String> rankingWith(PoolMetadata pool, String scoreColumn, List<ScoreRange> ranges,
                                    double samplePercent, int margin) {
        String score = pool.floatColumn(scoreColumn);
        String where = score + " IS NOT NULL AND NOT isnan(" + score + ")";
        FilterSpec spec = new FilterSpec(scoreColumn, ranges, null, 0, CaptionFilter.NONE);
        Ranking rk = samplePercent < 0 ? rankInJava(pool, spec, score, "", List.of())
                : rankInDuckDb(pool, spec, score, where, List.of(), samplePercent, margin);
        List<String> out = new ArrayList<>();
        for (int b = 0; b < ranges.size(); b++) {
            out.add(java.util.Arrays.toString(rk.bounds().get(b)) + " n=" + rk.inRange()[b] + " min=" + rk.min()[b]
                    + " max=" + rk.max()[b]);
        }
        out.add("N=" + rk.n());
        return out;
    }

    /** N, the bounds {low, high} of each bucket, and per bucket the row count and score extremes. */
    private record Ranking(long n, List<Double[]> bounds, long[] inRange, double[] min, double[] max) {
        /** No row counted yet: counts 0, extremes at +/- infinity. */
        static Ranking empty(long n, List<Double[]> bounds) {
            int m = bounds.size();
            double[] min = new double[m];
            double[] max = new double[m];
            Arrays.fill(min, Double.POSITIVE_INFINITY);
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
            return new Ranking(n, bounds, new long[m], min, max);
        }

        /** Counts {@code count} rows with scores in [lo, hi] into bucket b. */
        void add(int b, long count, double lo, double hi) {
            inRange[b] += count;
            min[b] = Math.min(min[b], lo);
            max[b] = Math.max(max[b], hi);
        }
    }

    /** Bucket bounds {low, high} (null = open) from the descending values {@code at} at indices {@code needed}. */
    private static List<Double[]> boundsOf(List<ScoreRange> ranges, long n, long[] needed, double[] at) {
        List<Double[]> bounds = new ArrayList<>();
        for (ScoreRange r : ranges) {
            Double low = thresholdOf(Thresholds.index(n, r.toPercent()), n, needed, at);
            Double high = r.fromPercent() == 0 ? null : thresholdOf(Thresholds.index(n, r.fromPercent()), n, needed, at);
            bounds.add(new Double[] {low, high});
        }
        return bounds;
    }

    /** Default sample size behind the threshold brackets; pools up to this size are read whole. */
    static final int SAMPLE_ROWS = 200_000;

    /**
     * The ranking without moving all scores into Java. N by a count. Thresholds: a Bernoulli sample of the ranked
     * scores (all of them for small pools) gives, for each needed descending index k, a bracket [lo, hi] of score
     * values that very likely holds the exact value; one query counts the rows above each hi and returns the scores
     * inside the brackets, and the value at index k is read off exactly. When k falls outside its bracket (an
     * unlucky sample), a top-n query steps from the bracket's edge to the exact value, so the result is exact
     * either way. Bucket counts and extremes come from one GROUP BY over the segments between the distinct
     * thresholds. The result equals {@link #rankInJava} (tested).
     */
    private static Ranking rankInDuckDb(PoolMetadata pool, FilterSpec spec, String score, String where,
                                        List<Object> params, double samplePercentOverride, int marginOverride) {
        String from = " FROM pool WHERE " + where;
        try {
            long n;
            try (PreparedStatement ps = bind(pool.prepare("SELECT count(*)" + from), params);
                 ResultSet r = ps.executeQuery()) {
                r.next();
                n = r.getLong(1);
            }
            if (n == 0) {
                throw BadInputException.inFile(pool.origin(), "no row has a " + spec.scoreColumn()
                        + " score" + (spec.caption().active() ? " and a caption passing the caption filter" : ""));
            }
            long nn = n;
            List<ScoreRange> ranges = spec.buckets();
            long[] needed = ranges.stream().flatMapToLong(r -> java.util.stream.LongStream.of(
                    Thresholds.index(nn, r.fromPercent()), Thresholds.index(nn, r.toPercent())))
                    .filter(k -> k < nn).distinct().sorted().toArray();
            double[] at = new double[needed.length];
            if (needed.length > 0) {
                double percent = samplePercentOverride > 0 ? samplePercentOverride
                        : Math.min(100.0, 100.0 * SAMPLE_ROWS / n);
                String sampleSql = "SELECT " + score + " FROM (SELECT " + score + from + ")"
                        + (percent >= 100 ? "" : " USING SAMPLE " + String.format(java.util.Locale.ROOT, "%.6f", percent) + "% (bernoulli, 7)");
                double[] sample;
                try (PreparedStatement ps = bind(pool.prepare(sampleSql), params); ResultSet r = ps.executeQuery()) {
                    sample = readDoubles(r);
                }
                Arrays.sort(sample); // ascending
                int sn = sample.length;
                Double[] lo = new Double[at.length];
                Double[] hi = new Double[at.length];
                for (int i = 0; i < at.length; i++) {
                    // the sample position of desc index k, and a margin of ~5 standard deviations of that position
                    double frac = needed[i] / (double) n;
                    int margin = marginOverride >= 0 ? marginOverride
                            : (int) Math.ceil(5 * Math.sqrt(frac * (1 - frac) * sn)) + 16;
                    long pos = sn - 1 - (long) Math.floor(frac * sn); // ascending position
                    long loPos = pos - margin;
                    long hiPos = pos + margin;
                    lo[i] = percent >= 100 && sn == n ? Double.valueOf(sample[(int) (n - 1 - needed[i])])
                            : loPos < 0 || sn == 0 ? null : sample[(int) Math.min(sn - 1, loPos)];
                    hi[i] = percent >= 100 && sn == n ? Double.valueOf(sample[(int) (n - 1 - needed[i])])
                            : hiPos >= sn || sn == 0 ? null : sample[(int) Math.max(0, hiPos)];
                }
                sample = null;
                // rows above each bracket, and the scores inside the brackets
                StringBuilder counts = new StringBuilder("SELECT ");
                List<Object> p = new ArrayList<>();
                for (int i = 0; i < at.length; i++) {
                    counts.append(i == 0 ? "" : ", ");
                    if (hi[i] == null) {
                        counts.append("0::BIGINT");
                    } else {
                        counts.append("count_if(").append(score).append(" > ?)");
                        p.add(hi[i]);
                    }
                }
                p.addAll(params);
                long[] above = new long[at.length];
                try (PreparedStatement ps = bind(pool.prepare(counts + from), p); ResultSet r = ps.executeQuery()) {
                    r.next();
                    for (int i = 0; i < at.length; i++) {
                        above[i] = r.getLong(i + 1);
                    }
                }
                List<Object> q = new ArrayList<>(params);
                StringBuilder inside = new StringBuilder();
                for (int i = 0; i < at.length; i++) {
                    List<Object> bp = new ArrayList<>();
                    String c = rangeCondition(score, new Double[] {lo[i], null}, bp);
                    if (hi[i] != null) {
                        c = c.equals("TRUE") ? score + " <= ?" : c + " AND " + score + " <= ?";
                        bp.add(hi[i]);
                    }
                    inside.append(i == 0 ? "(" : " OR (").append(c).append(")");
                    q.addAll(bp);
                }
                double[] band;
                try (PreparedStatement ps = bind(pool.prepare("SELECT " + score + from + " AND (" + inside + ")"), q);
                     ResultSet r = ps.executeQuery()) {
                    band = readDoubles(r);
                }
                Arrays.sort(band);
                for (int i = 0; i < at.length; i++) {
                    // band rows inside bracket i, in ascending order: [from, to)
                    int bFrom = lo[i] == null ? 0 : lowerBound(band, lo[i]);
                    int bTo = hi[i] == null ? band.length : upperBound(band, hi[i]);
                    long j = needed[i] - above[i]; // descending index within the bracket
                    if (j < 0) {
                        at[i] = step(pool, score, from, params, ">", "ASC", hi[i], above[i] - 1 - needed[i]);
                    } else if (j >= bTo - bFrom) {
                        at[i] = step(pool, score, from, params, "<", "DESC", lo[i], j - (bTo - bFrom));
                    } else {
                        at[i] = band[(int) (bTo - 1 - j)];
                    }
                }
            }
            List<Double[]> bounds = boundsOf(ranges, n, needed, at);
            // segments between the distinct thresholds t0 > t1 > ...: segment s holds t_s <= score < t_{s-1}
            double[] t = Arrays.stream(at).distinct().sorted().toArray();
            int d = t.length;
            double[] desc = new double[d];
            for (int i = 0; i < d; i++) {
                desc[i] = t[d - 1 - i];
            }
            StringBuilder seg = new StringBuilder("CASE");
            List<Object> p = new ArrayList<>();
            for (int i = 0; i < d; i++) {
                seg.append(" WHEN ").append(score).append(" >= ? THEN ").append(i);
                p.add(desc[i]);
            }
            seg.append(" ELSE ").append(d).append(" END");
            p.addAll(params);
            long[] segCount = new long[d + 1];
            double[] segMin = new double[d + 1];
            double[] segMax = new double[d + 1];
            try (PreparedStatement ps = bind(pool.prepare("SELECT " + (d == 0 ? "0" : seg) + " AS qqt_segment, count(*), min("
                    + score + "), max(" + score + ")" + from + " GROUP BY qqt_segment"), p);
                 ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    int sgi = r.getInt(1);
                    segCount[sgi] = r.getLong(2);
                    segMin[sgi] = ((Number) r.getObject(3)).doubleValue();
                    segMax[sgi] = ((Number) r.getObject(4)).doubleValue();
                }
            }
            Ranking rk = Ranking.empty(n, bounds);
            for (int b = 0; b < ranges.size(); b++) {
                Double low = bounds.get(b)[0];
                Double high = bounds.get(b)[1];
                for (int sgi = 0; sgi <= d; sgi++) {
                    boolean aboveLow = low == null || (sgi < d && desc[sgi] >= low);
                    boolean belowHigh = high == null || (sgi > 0 && desc[sgi - 1] <= high);
                    if (aboveLow && belowHigh && segCount[sgi] > 0) {
                        rk.add(b, segCount[sgi], segMin[sgi], segMax[sgi]);
                    }
                }
            }
            return rk;
        } catch (SQLException e) {
            throw BadInputException.inFile(pool.origin(), "cannot rank scores: " + PoolMetadata.firstLine(e));
        }
    }

    private static double[] readDoubles(ResultSet r) throws SQLException {
        double[] out = new double[1024];
        int k = 0;
        while (r.next()) {
            if (k == out.length) {
                out = Arrays.copyOf(out, k * 2);
            }
            out[k++] = r.getDouble(1);
        }
        return Arrays.copyOf(out, k);
    }

    /** First index whose value is {@code >= v} in an ascending array. */
    private static int lowerBound(double[] a, double v) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** First index whose value is {@code > v} in an ascending array. */
    private static int upperBound(double[] a, double v) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The score {@code offset} places past v in the given direction among the ranked rows. */
    private static double step(PoolMetadata pool, String score, String from, List<Object> params, String op,
                               String order, double v, long offset) throws SQLException {
        List<Object> p = new ArrayList<>(params);
        p.add(v);
        p.add(offset);
        try (PreparedStatement ps = bind(pool.prepare("SELECT " + score + from + " AND " + score + " " + op
                + " ? ORDER BY " + score + " " + order + " LIMIT 1 OFFSET ?"), p); ResultSet r = ps.executeQuery()) {
            if (!r.next()) {
                throw new IllegalStateException("no score " + op + " " + v + " at offset " + offset);
            }
            return ((Number) r.getObject(1)).doubleValue();
        }
    }

    /** "low <= score AND score < high" for the bounds present ("TRUE" for none), appending their values. */
    private static String rangeCondition(String score, Double[] bound, List<Object> p) {
        List<String> parts = new ArrayList<>();
        if (bound[0] != null) {
            parts.add(score + " >= ?");
            p.add(bound[0]);
        }
        if (bound[1] != null) {
            parts.add(score + " < ?");
            p.add(bound[1]);
        }
        return parts.isEmpty() ? "TRUE" : String.join(" AND ", parts);
    }

    /** The straightforward ranking: every score fetched into Java, thresholds by selection, counts by a loop. */
    private static Ranking rankInJava(PoolMetadata pool, FilterSpec spec, String score, String captionWhere,
                                      List<Object> params) {
        String type = pool.schema().get(spec.scoreColumn()).toUpperCase(java.util.Locale.ROOT);
        boolean isFloat = type.equals("FLOAT") || type.equals("REAL");
        double[] scores = fetchScores(pool, "SELECT " + score + " FROM pool"
                + (captionWhere.isEmpty() ? "" : " WHERE " + captionWhere), params, isFloat);
        int n = scores.length;
        if (n == 0) {
            throw BadInputException.inFile(pool.origin(), "no row has a " + spec.scoreColumn()
                    + " score" + (spec.caption().active() ? " and a caption passing the caption filter" : ""));
        }

        // thresholds: one selection pass over all needed ranks
        List<ScoreRange> ranges = spec.buckets();
        long[] needed = ranges.stream().flatMapToLong(r -> java.util.stream.LongStream.of(
                Thresholds.index(n, r.fromPercent()), Thresholds.index(n, r.toPercent())))
                .filter(k -> k < n).distinct().toArray();
        double[] at = Thresholds.descendingAt(scores, needed);
        List<Double[]> bounds = boundsOf(ranges, n, needed, at);

        // per-bucket counts and score extremes, from the scores already in memory
        int m = ranges.size();
        Ranking rk = Ranking.empty(n, bounds);
        boolean[] hasLow = new boolean[m];
        boolean[] hasHigh = new boolean[m];
        double[] lowV = new double[m];
        double[] highV = new double[m];
        for (int b = 0; b < m; b++) {
            hasLow[b] = bounds.get(b)[0] != null;
            hasHigh[b] = bounds.get(b)[1] != null;
            lowV[b] = hasLow[b] ? bounds.get(b)[0] : 0;
            highV[b] = hasHigh[b] ? bounds.get(b)[1] : 0;
        }
        for (double s : scores) {
            for (int b = 0; b < m; b++) {
                if ((!hasLow[b] || s >= lowV[b]) && (!hasHigh[b] || s < highV[b])) {
                    rk.add(b, 1, s, s);
                }
            }
        }
        return rk;
    }

    /** The EXPORT path: per bucket a CSV of uids written by DuckDB, decoded, sorted and written as {@code .npy}. */
    private static void exportBuckets(PoolMetadata pool, FilterSpec spec, List<ScoreRange> ranges,
                                      List<Double[]> bounds, long[] inRange, double[] min, double[] max, long n,
                                      String score, String uid, String where, List<Object> params, Path stage,
                                      BucketResult[] results) throws IOException {
        int m = ranges.size();
        ExecutorService exporter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "qqt-filter-export");
            t.setDaemon(true);
            return t;
        });
        Future<Path> next = null;
        setting(pool, "SET preserve_insertion_order = false"); // the uids are sorted in Java anyway
        try {
            next = exporter.submit(() -> export(pool, score, uid, where, params, bounds.get(0), stage, 0));
            for (int b = 0; b < m; b++) {
                Path csv = await(next);
                int following = b + 1;
                next = following < m ? exporter.submit(() -> export(pool, score, uid, where, params,
                        bounds.get(following), stage, following)) : null;
                if (inRange[b] > Integer.MAX_VALUE - 8) {
                    throw BadInputException.inFile(pool.origin(), "bucket " + ranges.get(b).label() + " has "
                            + inRange[b] + " rows, more than one subset file can hold; split the pool");
                }
                long[] hi = new long[(int) inRange[b]];
                long[] lo = new long[(int) inRange[b]];
                readUidLines(csv, hi, lo, pool.origin());
                Files.delete(csv);
                SubsetFile subset = SubsetFile.fromPairs(hi, lo);
                hi = null;
                lo = null;
                if (spec.randomPercent() != null) {
                    subset = sample(subset, (long) (subset.size() * (spec.randomPercent() / 100.0)), spec.seed());
                }
                ScoreRange r = ranges.get(b);
                String file = spec.fileName(r);
                subset.write(stage.resolve(file));
                results[b] = new BucketResult(r.label(), file, r.fromPercent(), r.toPercent(), bounds.get(b)[0],
                        bounds.get(b)[1], inRange[b], subset.size(), subset.size() / (double) n,
                        inRange[b] == 0 ? null : min[b], inRange[b] == 0 ? null : max[b]);
            }
        } finally {
            if (next != null) {
                try {
                    next.get(); // let a running COPY finish before the staging directory goes
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException ignored) {
                    // the first failure is already on its way
                }
            }
            exporter.shutdownNow();
            setting(pool, "RESET preserve_insertion_order");
        }
    }

    private static void setting(PoolMetadata pool, String sql) {
        try (PreparedStatement ps = pool.prepare(sql)) {
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + PoolMetadata.firstLine(e), e);
        }
    }

    private static Path await(Future<Path> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while DuckDB exported uids", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** {@code COPY (SELECT uid FROM pool WHERE ... AND low <= score < high) TO stage/bucket-b.csv}. */
    private static Path export(PoolMetadata pool, String score, String uid, String where, List<Object> params,
                               Double[] bound, Path stage, int b) {
        Path csv = stage.resolve("bucket-" + b + ".csv");
        List<Object> p = new ArrayList<>(params);
        StringBuilder range = new StringBuilder();
        if (bound[0] != null) {
            range.append(" AND ").append(score).append(" >= ?");
            p.add(bound[0]);
        }
        if (bound[1] != null) {
            range.append(" AND ").append(score).append(" < ?");
            p.add(bound[1]);
        }
        p.add(csv.toAbsolutePath().toString());
        String sql = "COPY (SELECT " + uid + " FROM pool WHERE " + where + range + ") TO ? (FORMAT csv, HEADER false)";
        try (PreparedStatement ps = bind(pool.prepare(sql), p)) {
            ps.execute();
        } catch (SQLException e) {
            throw BadInputException.inFile(pool.origin(), "cannot read uids: " + PoolMetadata.firstLine(e));
        }
        return csv;
    }

    private static final byte[] HEX_VALUE = hexTable();

    private static byte[] hexTable() {
        byte[] t = new byte[256];
        Arrays.fill(t, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            t[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            t[c] = (byte) (c - 'a' + 10);
            t[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
        }
        return t;
    }

    /**
     * Decodes a file of lines of 32 hex characters (optionally ending in {@code \r\n}) into exactly
     * {@code hi.length} pairs; anything else (an empty line for a null uid, a quoted field, a wrong length or count)
     * fails.
     */
    static void readUidLines(Path file, long[] hi, long[] lo, Path origin) throws IOException {
        int expected = hi.length;
        int row = 0;
        int digits = 0;
        long v = 0;
        byte[] buf = new byte[1 << 22];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            int len;
            while ((len = in.read(buf)) > 0) {
                for (int i = 0; i < len; i++) {
                    int c = buf[i] & 0xff;
                    int d = HEX_VALUE[c];
                    if (d >= 0 && digits < 32) {
                        v = (v << 4) | d;
                        if (++digits == 16) {
                            if (row == expected) {
                                throw new IllegalStateException("bucket has more rows than counted (" + expected + ")");
                            }
                            hi[row] = v;
                            v = 0;
                        }
                    } else if (c == '\n' && digits == 32) {
                        lo[row++] = v;
                        v = 0;
                        digits = 0;
                    } else if (c != '\r' || digits != 32) {
                        throw BadInputException.inFile(origin, "uid number " + (row + 1)
                                + " of a bucket is not 32 hex characters (or is null); fix the uid column");
                    }
                }
            }
        }
        if (digits != 0) {
            throw BadInputException.inFile(origin, "uid number " + (row + 1) + " of a bucket is not 32 hex characters");
        }
        if (row != expected) {
            throw new IllegalStateException("bucket has " + row + " rows, counted " + expected);
        }
    }

    private static Double thresholdOf(long k, long n, long[] needed, double[] at) {
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

    /** {@code k} of the subset's rows, chosen by selection sampling (Knuth's algorithm S) in uid order. */
    static SubsetFile sample(SubsetFile s, long k, long seed) {
        return SubsetFile.fromSortedPairs(sample(s.pairs(), s.size(), (int) k, seed), (int) k);
    }

    /**
     * {@code k} of the first {@code n} interleaved pairs, chosen by selection sampling (Knuth's algorithm S) in
     * their order with {@code java.util.Random(seed)}: a new array of k pairs, in the same order.
     */
    static long[] sample(long[] pairs, int n, int k, long seed) {
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

    private static double[] fetchScores(PoolMetadata pool, String sql, List<Object> params, boolean isFloat) {
        double[] out = new double[1 << 16];
        int n = 0;
        try (PreparedStatement ps = bind(pool.prepare(sql), params); ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                if (n == out.length) {
                    if (n == Integer.MAX_VALUE - 8) {
                        throw BadInputException.inFile(pool.origin(), "more than " + n + " scored rows; split the pool");
                    }
                    out = Arrays.copyOf(out, (int) Math.min(Integer.MAX_VALUE - 8, n * 2L));
                }
                double v = isFloat ? r.getFloat(1) : r.getDouble(1);
                if (r.wasNull() || Double.isNaN(v)) {
                    continue;
                }
                out[n++] = v;
            }
        } catch (SQLException e) {
            throw BadInputException.inFile(pool.origin(), "cannot read scores: " + PoolMetadata.firstLine(e));
        }
        return Arrays.copyOf(out, n);
    }

    /** Groups bucket indices so that the ranges within a group are disjoint (first fit, in the given order). */
    static List<List<Integer>> disjointPasses(List<ScoreRange> ranges) {
        List<List<Integer>> passes = new ArrayList<>();
        for (int b = 0; b < ranges.size(); b++) {
            ScoreRange r = ranges.get(b);
            List<Integer> home = null;
            for (List<Integer> pass : passes) {
                if (pass.stream().map(ranges::get).allMatch(o -> o.toPercent() <= r.fromPercent()
                        || r.toPercent() <= o.fromPercent())) {
                    home = pass;
                    break;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                passes.add(home);
            }
            home.add(b);
        }
        return passes;
    }

    /** Runs a (bucket, uid) query and returns per bucket {hi[], lo[]} with exactly the expected counts. */
    private static long[][][] fetchUids(PoolMetadata pool, String sql, List<Object> params, long[] expected) {
        int k = expected.length;
        long[][][] out = new long[k][2][];
        int[] filled = new int[k];
        for (int i = 0; i < k; i++) {
            out[i][0] = new long[(int) expected[i]];
            out[i][1] = new long[(int) expected[i]];
        }
        try (PreparedStatement ps = bind(pool.prepare(sql), params); ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                int b = r.getInt(1);
                String u = r.getString(2);
                if (filled[b] == expected[b]) {
                    throw new IllegalStateException("bucket has more rows than counted (" + expected[b] + ")");
                }
                if (u == null || u.length() != 32) {
                    throw BadInputException.inFile(pool.origin(), "bad uid '" + u + "': expected 32 hex characters");
                }
                out[b][0][filled[b]] = hex16(u, 0, pool);
                out[b][1][filled[b]++] = hex16(u, 16, pool);
            }
        } catch (SQLException e) {
            throw BadInputException.inFile(pool.origin(), "cannot read uids: " + PoolMetadata.firstLine(e));
        }
        for (int i = 0; i < k; i++) {
            if (filled[i] != expected[i]) {
                throw new IllegalStateException("bucket has " + filled[i] + " rows, counted " + expected[i]);
            }
        }
        return out;
    }

    private static long hex16(String s, int from, PoolMetadata pool) {
        long v = 0;
        for (int i = from; i < from + 16; i++) {
            char c = s.charAt(i);
            int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                d = c - 'A' + 10;
            } else {
                throw BadInputException.inFile(pool.origin(), "bad uid '" + s + "': expected 32 hex characters");
            }
            v = (v << 4) | d;
        }
        return v;
    }

    static PreparedStatement bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            if (v instanceof Double d) {
                ps.setDouble(i + 1, d);
            } else if (v instanceof Integer x) {
                ps.setInt(i + 1, x);
            } else if (v instanceof Long x) {
                ps.setLong(i + 1, x);
            } else {
                ps.setObject(i + 1, v);
            }
        }
        return ps;
    }

    /** Writes bucket files into a directory given the stage (inside {@code outDir}); returns their results. */
    private interface StagedWrite {
        BucketResult[] write(Path stage) throws IOException;
    }

    /**
     * Runs {@code write} into a fresh staging directory inside {@code outDir}, then moves each bucket file into
     * place: a killed filter leaves the old files or the new ones, never a half-written one. Both paths (one pass
     * and row by row) publish through here.
     */
    private static BucketResult[] publish(Path outDir, StagedWrite write) {
        Path stage = null;
        try {
            Files.createDirectories(outDir);
            stage = Files.createTempDirectory(outDir, ".qqt-filter-");
            BucketResult[] results = write.write(stage);
            for (BucketResult br : results) {
                move(stage.resolve(br.file()), outDir.resolve(br.file()));
            }
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write buckets into " + outDir + ": " + e.getMessage(), e);
        } finally {
            org.qqt.io.AtomicFiles.deleteTreeQuietly(stage);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

}
