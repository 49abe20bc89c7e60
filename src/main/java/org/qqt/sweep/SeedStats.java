package org.qqt.sweep;

import java.util.List;

/**
 * Mean and standard error of one quantity over seeds: {@code se} = sample standard deviation / √n (NaN for
 * one seed: no spread can be measured from a single run).
 */
public record SeedStats(int n, double mean, double se) {

    public static SeedStats of(List<Double> values) {
        int n = values.size();
        if (n == 0) {
            return new SeedStats(0, Double.NaN, Double.NaN);
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
        if (n == 1) {
            return new SeedStats(1, mean, Double.NaN);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new SeedStats(n, mean, Math.sqrt(ss / (n - 1)) / Math.sqrt(n));
    }

    /** The binomial standard error of an error rate {@code p} measured on {@code n} test items. */
    public static double binomialSe(double p, long n) {
        return n > 0 && p >= 0 && p <= 1 ? Math.sqrt(p * (1 - p) / n) : Double.NaN;
    }

    /** "0.123 ± 0.004" ("0.123 ± n/a" for one seed, "-" when nothing was measured). */
    public String format() {
        if (n == 0) {
            return "-";
        }
        return String.format(java.util.Locale.ROOT, "%.3f ± %s", mean,
                Double.isNaN(se) ? "n/a" : String.format(java.util.Locale.ROOT, "%.3f", se));
    }
}
