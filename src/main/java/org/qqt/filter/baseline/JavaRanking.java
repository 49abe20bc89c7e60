package org.qqt.filter.baseline;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.qqt.data.PoolMetadata;
import org.qqt.filter.FilterQuery;
import org.qqt.filter.FilterSpec;
import org.qqt.filter.ScoreRange;
import org.qqt.filter.Thresholds;
import org.qqt.io.BadInputException;

/** The straightforward ranking: every score fetched into Java. */
final class JavaRanking {
    private JavaRanking() {}


    /** The straightforward ranking: every score fetched into Java, thresholds by selection, counts by a loop. */
    static Ranking rank(PoolMetadata pool, FilterSpec spec, String score, String captionWhere,
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
        List<Double[]> bounds = Ranking.boundsOf(ranges, n, needed, at);

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


    static double[] fetchScores(PoolMetadata pool, String sql, List<Object> params, boolean isFloat) {
        double[] out = new double[1 << 16];
        int n = 0;
        try (PreparedStatement ps = FilterQuery.bind(pool.prepare(sql), params); ResultSet r = ps.executeQuery()) {
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
}
