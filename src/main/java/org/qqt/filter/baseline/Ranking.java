package org.qqt.filter.baseline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qqt.filter.ScoreRange;
import org.qqt.filter.Thresholds;

/** A ranking: N, the bounds {low, high} of each bucket, and per bucket the row count and score extremes. */
record Ranking(long n, List<Double[]> bounds, long[] inRange, double[] min, double[] max) {
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

    /** Bucket bounds {low, high} (null = open) from the descending values {@code at} at indices {@code needed}. */
    static List<Double[]> boundsOf(List<ScoreRange> ranges, long n, long[] needed, double[] at) {
        List<Double[]> bounds = new ArrayList<>();
        for (ScoreRange r : ranges) {
            Double low = Thresholds.at(Thresholds.index(n, r.toPercent()), n, needed, at);
            Double high = r.fromPercent() == 0 ? null : Thresholds.at(Thresholds.index(n, r.fromPercent()), n, needed, at);
            bounds.add(new Double[] {low, high});
        }
        return bounds;
    }
}
