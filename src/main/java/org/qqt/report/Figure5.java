package org.qqt.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.SampleCount;
import org.qqt.scaling.Mixture;
import org.qqt.scaling.Observation;
import org.qqt.scaling.ParetoFrontier;
import org.qqt.scaling.PoolParams;
import org.qqt.scaling.Prediction;
import org.qqt.scaling.Predictor;

/**
 * What a Figure-5 style chart shows (the paper's Fig. 5: predicted error vs samples seen per mixture, with
 * actual runs as points): one predicted curve per mixture, optional bootstrap band, the actual points of
 * that mixture, and the budget ranges where each mixture is predicted best.
 *
 * @param title chart title
 * @param yAxisTitle e.g. "ImageNet error"
 * @param curves one per mixture, in legend order (colour i = curve i)
 * @param regions where curve {@code index} is predicted best (shaded in its colour); may be empty
 * @param crossovers budgets where the best mixture changes (vertical lines with labels)
 */
public record Figure5(String title, String yAxisTitle, List<Curve> curves, List<Region> regions,
                      List<ParetoFrontier.Crossover> crossovers) {

    /** Smooth curves: this many log-spaced budgets. */
    public static final int CURVE_POINTS = 200;

    /**
     * One mixture: predicted {@code y} at samples seen {@code x}; {@code low}/{@code high} bands or null;
     * actual points (possibly none).
     */
    public record Curve(String name, String label, double[] x, double[] y, double[] low, double[] high,
                        double[] actualX, double[] actualY) {}

    /** Budgets [from, to] where curve {@code index} is best. */
    public record Region(double from, double to, int index) {}

    /**
     * Builds the chart of {@code mixtures} between budgets lo and hi (widened to include the actual points).
     *
     * @param actual actual points per mixture name (may be empty)
     * @param frontier whether to shade the best-mixture regions and mark the crossovers
     */
    public static Figure5 of(String title, String yAxisTitle, Predictor predictor, List<Mixture> mixtures,
                             double lo, double hi, Map<String, List<Observation>> actual, boolean frontier) {
        double min = lo;
        double max = hi;
        for (List<Observation> pts : actual.values()) {
            for (Observation o : pts) {
                min = Math.min(min, o.samplesSeen());
                max = Math.max(max, o.samplesSeen());
            }
        }
        if (max <= min) {
            min = min / 2;
            max = max * 2;
        }
        double[] x = ParetoFrontier.logGrid(min, max, CURVE_POINTS);
        Prediction predicted = predictor.predict(mixtures, Arrays.stream(x).boxed().toList());
        List<Curve> curves = new ArrayList<>();
        for (int i = 0; i < mixtures.size(); i++) {
            Mixture m = mixtures.get(i);
            Prediction.Curve c = predicted.mixtures().get(i);
            List<Observation> pts = actual.getOrDefault(m.name(), List.of());
            curves.add(new Curve(m.name(), legendLabel(m), x, c.error(), c.low(), c.high(),
                    pts.stream().mapToDouble(Observation::samplesSeen).toArray(),
                    pts.stream().mapToDouble(Observation::error).toArray()));
        }
        List<Region> regions = new ArrayList<>();
        List<ParetoFrontier.Crossover> crossovers = List.of();
        if (frontier && mixtures.size() > 1) {
            ParetoFrontier.Frontier f = ParetoFrontier.compute(predictor, mixtures, min, max, 100);
            crossovers = f.crossovers();
            List<String> names = mixtures.stream().map(Mixture::name).toList();
            double from = min;
            String current = f.best().get(0);
            for (ParetoFrontier.Crossover c : crossovers) {
                regions.add(new Region(from, c.budget(), names.indexOf(current)));
                from = c.budget();
                current = c.to();
            }
            regions.add(new Region(from, max, names.indexOf(current)));
        }
        return new Figure5(title, yAxisTitle, curves, regions, crossovers);
    }

    /**
     * "top0-10 | b=-0.18 | τ=4.36" for one pool ("top10 (top0-10) | ..." when the mixture has its own name, "τ≈∞"
     * above 10^9 epochs: repetition does not hurt); "top0-10+top10-20 | N̂=25.6M" for a mixture.
     */
    public static String legendLabel(Mixture m) {
        if (m.pools().size() == 1) {
            PoolParams p = m.pools().get(0);
            String name = m.name().equals(p.name()) ? p.name() : m.name() + " (" + p.name() + ")";
            String tau = p.tau() >= 1e9 ? "τ≈∞" : String.format(Locale.ROOT, "τ=%.2f", p.tau());
            return String.format(Locale.ROOT, "%s | b=%.2f | %s", name, p.b(), tau);
        }
        return m.name() + " | N̂=" + SampleCount.format(m.size());
    }
}
