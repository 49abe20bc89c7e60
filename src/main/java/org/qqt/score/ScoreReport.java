package org.qqt.score;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.qqt.data.PoolMetadata;
import org.qqt.data.Uid;

/**
 * How well a score column tracks the synthetic pool's hidden {@code true_quality}: Spearman's rank
 * correlation over all rows with a finite score, and within each decile of true_quality (decile 1 = lowest).
 */
public record ScoreReport(String column, long rows, double spearman, List<Decile> deciles) {
    public record Decile(int decile, double qualityFrom, double qualityTo, long rows, double meanScore, double spearman) {}

    public static ScoreReport of(Path metadata, String column) {
        Map<Uid, Double> score;
        Map<Uid, Double> quality;
        try (PoolMetadata m = PoolMetadata.open(metadata)) {
            score = m.readScores(column);
            quality = m.readScores("true_quality");
        }
        List<double[]> pairs = new ArrayList<>();
        for (Map.Entry<Uid, Double> e : score.entrySet()) {
            Double q = quality.get(e.getKey());
            if (q != null && Double.isFinite(q) && Double.isFinite(e.getValue())) {
                pairs.add(new double[] {q, e.getValue()});
            }
        }
        pairs.sort((a, b) -> Double.compare(a[0], b[0]));
        double all = spearman(pairs);
        List<Decile> deciles = new ArrayList<>();
        int n = pairs.size();
        for (int d = 0; d < 10 && n > 0; d++) {
            List<double[]> part = pairs.subList(d * n / 10, (d + 1) * n / 10);
            if (part.isEmpty()) {
                continue;
            }
            double mean = part.stream().mapToDouble(p -> p[1]).average().orElse(Double.NaN);
            deciles.add(new Decile(d + 1, part.get(0)[0], part.get(part.size() - 1)[0], part.size(), mean,
                    spearman(part)));
        }
        return new ScoreReport(column, n, all, deciles);
    }

    private static double spearman(List<double[]> pairs) {
        if (pairs.size() < 3) {
            return Double.NaN;
        }
        double[] x = new double[pairs.size()];
        double[] y = new double[pairs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pairs.get(i)[0];
            y[i] = pairs.get(i)[1];
        }
        return new SpearmansCorrelation().correlation(x, y);
    }

    /** A markdown table (for datasets/README.md). */
    public String format() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Spearman(%s, true_quality) over %d samples: %.4f%n%n", column, rows, spearman));
        b.append("| true_quality decile | true_quality range | samples | mean ").append(column).append(" | Spearman within |\n");
        b.append("|---|---|---|---|---|\n");
        for (Decile d : deciles) {
            b.append(String.format(Locale.ROOT, "| %d | %.3f-%.3f | %d | %.4f | %.4f |%n", d.decile(), d.qualityFrom(),
                    d.qualityTo(), d.rows(), d.meanScore(), d.spearman()));
        }
        return b.toString();
    }
}
