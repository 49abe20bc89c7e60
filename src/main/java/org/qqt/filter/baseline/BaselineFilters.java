package org.qqt.filter.baseline;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.filter.BucketResult;
import org.qqt.filter.FilterManifest;
import org.qqt.filter.FilterPhases;
import org.qqt.filter.FilterQuery;
import org.qqt.filter.FilterSpec;
import org.qqt.filter.CaptionFilter;
import org.qqt.filter.ScoreFilter;
import org.qqt.filter.ScoreRange;
import org.qqt.filter.StagedOutput;
import org.qqt.filter.SubsetSampling;
import org.qqt.io.BadInputException;

/**
 * The filter's bench baselines, kept as {@code qqt bench filter}'s same-run reference: the per-bucket CSV export
 * (the previous default) and one JDBC row per uid (the straightforward path). Both give exactly the product's
 * output ({@link ScoreFilter}, tested); ranking by {@link DuckDbRanking} or {@link JavaRanking}.
 */
public final class BaselineFilters {
    private BaselineFilters() {}

    public static FilterManifest run(PoolMetadata pool, FilterSpec spec, Path outDir, String command,
                                     UidTransfer transfer) {
        return run(pool, spec, outDir, command, transfer, ScoreFilter.memoryBudgetUids());
    }

    /** {@code budgetUids}: for the one-pass paths, the most uids held in memory before spilling. */
    public static FilterManifest run(PoolMetadata pool, FilterSpec spec, Path outDir, String command,
                                     UidTransfer transfer, long budgetUids) {
        return run(pool, spec, outDir, command, transfer, budgetUids, FilterPhases.NONE);
    }

    /** {@code phases} records where the time of the one-pass paths goes (the baselines record nothing). */
    public static FilterManifest run(PoolMetadata pool, FilterSpec spec, Path outDir, String command,
                                     UidTransfer transfer, long budgetUids, FilterPhases phases) {
        if (transfer == UidTransfer.ONE_PASS || transfer == UidTransfer.ONE_PASS_ONE_WORKER) {
            int workers = transfer == UidTransfer.ONE_PASS ? Runtime.getRuntime().availableProcessors() : 1;
            return ScoreFilter.run(pool, spec, outDir, command, workers, budgetUids, phases);
        }
        FilterQuery q = FilterQuery.of(pool, spec);
        String score = q.score();
        String uid = q.uid();
        String where = q.where();
        List<Object> params = q.params();
        String captionWhere = q.captionWhere();
        Ranking rk = transfer == UidTransfer.EXPORT ? DuckDbRanking.rank(pool, spec, score, where, params, 0, -1)
                : JavaRanking.rank(pool, spec, score, captionWhere, params);
        long n = rk.n();
        List<ScoreRange> ranges = spec.buckets();
        int m = ranges.size();
        List<Double[]> bounds = rk.bounds();
        long[] inRange = rk.inRange();
        double[] min = rk.min();
        double[] max = rk.max();

        BucketResult[] results = new BucketResult[m];
        StagedOutput.publish(outDir, stage -> {
            if (transfer == UidTransfer.EXPORT) {
                CsvExport.exportBuckets(pool, spec, ranges, bounds, inRange, min, max, n, score, uid, where, params, stage,
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
                        subset = SubsetSampling.sample(subset, (long) (subset.size() * (spec.randomPercent() / 100.0)), spec.seed());
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
        return ScoreFilter.writeManifest(pool, spec, outDir, command, n, results);
    }


    /**
     * Test hook: bounds, counts and extremes of the Java ranking ({@code samplePercent} &lt; 0) or of the DuckDB
     * ranking with the given sample percentage and bracket margin (in sample rows), so that narrow brackets force
     * the exact correction steps.
     */
    public static List<String> rankingWith(PoolMetadata pool, String scoreColumn, List<ScoreRange> ranges,
                                    double samplePercent, int margin) {
        String score = pool.floatColumn(scoreColumn);
        String where = score + " IS NOT NULL AND NOT isnan(" + score + ")";
        FilterSpec spec = new FilterSpec(scoreColumn, ranges, null, 0, CaptionFilter.NONE);
        Ranking rk = samplePercent < 0 ? JavaRanking.rank(pool, spec, score, "", List.of())
                : DuckDbRanking.rank(pool, spec, score, where, List.of(), samplePercent, margin);
        List<String> out = new ArrayList<>();
        for (int b = 0; b < ranges.size(); b++) {
            out.add(java.util.Arrays.toString(rk.bounds().get(b)) + " n=" + rk.inRange()[b] + " min=" + rk.min()[b]
                    + " max=" + rk.max()[b]);
        }
        out.add("N=" + rk.n());
        return out;
    }

    /** Groups bucket indices so that the ranges within a group are disjoint (first fit, in the given order). */
    public static List<List<Integer>> disjointPasses(List<ScoreRange> ranges) {
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
    static long[][][] fetchUids(PoolMetadata pool, String sql, List<Object> params, long[] expected) {
        int k = expected.length;
        long[][][] out = new long[k][2][];
        int[] filled = new int[k];
        for (int i = 0; i < k; i++) {
            out[i][0] = new long[(int) expected[i]];
            out[i][1] = new long[(int) expected[i]];
        }
        try (PreparedStatement ps = FilterQuery.bind(pool.prepare(sql), params); ResultSet r = ps.executeQuery()) {
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

    static long hex16(String s, int from, PoolMetadata pool) {
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
}
