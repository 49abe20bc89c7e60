package org.qqt.scaling;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;
import org.qqt.io.BadInputException;
import org.qqt.io.SampleCount;

/**
 * Predicted vs actual: for every measured point the predicted error of its mixture, the absolute
 * difference, the mean and maximum absolute error, and per budget whether the mixture that measured best is
 * the one predicted best among the same mixtures.
 */
public final class Validation {
    /** Relative difference between a point's pool_size and the mixture's N̂ above which we warn. */
    static final double SIZE_TOLERANCE = 1e-3;

    private Validation() {}

    /** One actual point with its prediction. */
    public record Point(String pool, double poolSize, double samplesSeen, double actual, double predicted,
                        double absError) {}

    /**
     * At one budget: the mixtures measured there, the best by measurement (mean over repeated points of a
     * mixture) and the best by prediction among the same mixtures.
     */
    public record BudgetCheck(double samplesSeen, List<String> mixtures, String actualBest, String predictedBest,
                              boolean agree) {}

    /**
     * @param compared budgets with at least two mixtures (only those can disagree)
     * @param agreed of those, how many pick the same best mixture
     * @param mixtures the distinct mixtures of the actual points, in order of first appearance
     * @param warnings one line each (e.g. a pool_size that is not the mixture's N̂)
     */
    public record Result(List<Point> points, double mae, double maxError, List<BudgetCheck> budgets, int compared,
                         int agreed, List<Mixture> mixtures, List<String> warnings) {}

    /**
     * Compares {@code actual} with {@code predictor}'s predictions. A point's pool is a mixture name
     * ({@code top0-10+top10-20}) or a single pool name; anything else is a {@link BadInputException} naming
     * {@code source} and the known names.
     */
    public static Result run(Predictor predictor, List<Observation> actual, Path source) {
        if (actual.isEmpty()) {
            throw new BadInputException(source + ": no actual points");
        }
        Map<String, Mixture> mixtures = new LinkedHashMap<>();
        Map<String, DoubleUnaryOperator> curves = new HashMap<>();
        List<String> warnings = new ArrayList<>();
        List<Point> points = new ArrayList<>();
        double sum = 0;
        double max = 0;
        for (Observation o : actual) {
            Mixture m = mixtures.get(o.pool());
            if (m == null) {
                m = resolve(o.pool(), predictor.params(), source);
                mixtures.put(o.pool(), m);
                curves.put(o.pool(), predictor.curve(m));
            }
            if (Math.abs(o.poolSize() - m.size()) > SIZE_TOLERANCE * m.size()) {
                String w = String.format(Locale.ROOT, "%s: pool '%s' has pool_size %s but the mixture's N̂ is %s; "
                        + "predicting with N̂", source, o.pool(), SampleCount.format(o.poolSize()),
                        SampleCount.format(m.size()));
                if (!warnings.contains(w)) {
                    warnings.add(w);
                }
            }
            double pred = curves.get(o.pool()).applyAsDouble(o.samplesSeen());
            double diff = Math.abs(pred - o.error());
            sum += diff;
            max = Math.max(max, diff);
            points.add(new Point(o.pool(), o.poolSize(), o.samplesSeen(), o.error(), pred, diff));
        }
        List<BudgetCheck> budgets = new ArrayList<>();
        int compared = 0;
        int agreed = 0;
        Map<Double, Map<String, double[]>> byBudget = new TreeMap<>();
        for (Point p : points) {
            double[] acc = byBudget.computeIfAbsent(p.samplesSeen(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(p.pool(), k -> new double[3]);
            acc[0] += p.actual();
            acc[1] += 1;
            acc[2] = p.predicted();
        }
        for (var e : byBudget.entrySet()) {
            String actualBest = null;
            String predictedBest = null;
            double bestActual = Double.POSITIVE_INFINITY;
            double bestPredicted = Double.POSITIVE_INFINITY;
            for (var m : e.getValue().entrySet()) {
                double mean = m.getValue()[0] / m.getValue()[1];
                if (mean < bestActual) {
                    bestActual = mean;
                    actualBest = m.getKey();
                }
                if (m.getValue()[2] < bestPredicted) {
                    bestPredicted = m.getValue()[2];
                    predictedBest = m.getKey();
                }
            }
            boolean agree = actualBest.equals(predictedBest);
            if (e.getValue().size() >= 2) {
                compared++;
                agreed += agree ? 1 : 0;
            }
            budgets.add(new BudgetCheck(e.getKey(), List.copyOf(e.getValue().keySet()), actualBest, predictedBest,
                    agree));
        }
        return new Result(points, sum / points.size(), max, budgets, compared, agreed,
                List.copyOf(mixtures.values()), warnings);
    }

    /** A mixture name as written in an actual file, or a one-line error listing what is known. */
    static Mixture resolve(String name, ScalingParams params, Path source) {
        try {
            return Mixture.parse(name, params);
        } catch (BadInputException e) {
            List<String> known = new ArrayList<>(params.pools().stream().map(PoolParams::name).toList());
            for (Mixture m : Mixture.prefixes(params, MixtureOrder.RANK)) {
                if (!known.contains(m.name())) {
                    known.add(m.name());
                }
            }
            throw new BadInputException(source + ": unknown mixture '" + name + "'; known names: "
                    + String.join(", ", known) + " (or any '+'-join of the pools)");
        }
    }
}
