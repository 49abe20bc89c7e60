package org.qqt.filter.baseline;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qqt.data.PoolMetadata;
import org.qqt.filter.FilterQuery;
import org.qqt.filter.FilterSpec;
import org.qqt.filter.ScoreRange;
import org.qqt.filter.Thresholds;
import org.qqt.io.BadInputException;

/** The EXPORT baseline's ranking in SQL: thresholds from a sample, corrected exactly. */
final class DuckDbRanking {
    private DuckDbRanking() {}


    /** Default sample size behind the threshold brackets; pools up to this size are read whole. */
    static final int SAMPLE_ROWS = 200_000;

    /**
     * The ranking without moving all scores into Java. N by a count. Thresholds: a Bernoulli sample of the ranked
     * scores (all of them for small pools) gives, for each needed descending index k, a bracket [lo, hi] of score
     * values that very likely holds the exact value; one query counts the rows above each hi and returns the scores
     * inside the brackets, and the value at index k is read off exactly. When k falls outside its bracket (an
     * unlucky sample), a top-n query steps from the bracket's edge to the exact value, so the result is exact
     * either way. Bucket counts and extremes come from one GROUP BY over the segments between the distinct
     * thresholds. The result equals {@link JavaRanking#rank} (tested).
     */
    static Ranking rank(PoolMetadata pool, FilterSpec spec, String score, String where,
                                        List<Object> params, double samplePercentOverride, int marginOverride) {
        String from = " FROM pool WHERE " + where;
        try {
            long n;
            try (PreparedStatement ps = FilterQuery.bind(pool.prepare("SELECT count(*)" + from), params);
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
                try (PreparedStatement ps = FilterQuery.bind(pool.prepare(sampleSql), params); ResultSet r = ps.executeQuery()) {
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
                try (PreparedStatement ps = FilterQuery.bind(pool.prepare(counts + from), p); ResultSet r = ps.executeQuery()) {
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
                try (PreparedStatement ps = FilterQuery.bind(pool.prepare("SELECT " + score + from + " AND (" + inside + ")"), q);
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
            List<Double[]> bounds = Ranking.boundsOf(ranges, n, needed, at);
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
            try (PreparedStatement ps = FilterQuery.bind(pool.prepare("SELECT " + (d == 0 ? "0" : seg) + " AS qqt_segment, count(*), min("
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

    static double[] readDoubles(ResultSet r) throws SQLException {
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
    static int lowerBound(double[] a, double v) {
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
    static int upperBound(double[] a, double v) {
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
    static double step(PoolMetadata pool, String score, String from, List<Object> params, String op,
                               String order, double v, long offset) throws SQLException {
        List<Object> p = new ArrayList<>(params);
        p.add(v);
        p.add(offset);
        try (PreparedStatement ps = FilterQuery.bind(pool.prepare("SELECT " + score + from + " AND " + score + " " + op
                + " ? ORDER BY " + score + " " + order + " LIMIT 1 OFFSET ?"), p); ResultSet r = ps.executeQuery()) {
            if (!r.next()) {
                throw new IllegalStateException("no score " + op + " " + v + " at offset " + offset);
            }
            return ((Number) r.getObject(1)).doubleValue();
        }
    }

    /** "low <= score AND score < high" for the bounds present ("TRUE" for none), appending their values. */
    static String rangeCondition(String score, Double[] bound, List<Object> p) {
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
}
