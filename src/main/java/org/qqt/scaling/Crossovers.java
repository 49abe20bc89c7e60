package org.qqt.scaling;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The crossovers of a Figure 5, predicted and measured, defined so that they can be compared:
 * <ul>
 *   <li><b>predicted</b>: every budget where the predicted best mixture changes, found on the predicted curves over
 *       a fine log grid of budgets ({@link #GRID_POINTS} points in log S) and located by bisection in log S
 *       ({@link ParetoFrontier}); its 95% interval: the same search on the curves of every bootstrap draw, taking
 *       in each draw the change with the same (from, to) pair nearest in log S; draws without such a change in the
 *       range are counted as "none" (reported as a count) and left out of the percentiles;
 *   <li><b>measured</b>: between two adjacent measured budgets S₁ &lt; S₂ whose winners (lowest mean over seeds)
 *       differ, A at S₁ and B at S₂, the budget where the difference of their measured means, mean_A − mean_B,
 *       crosses zero, interpolated linearly in log S between the two budgets.
 * </ul>
 */
public final class Crossovers {
    /** Budgets of the fine log grid the predicted curves are searched over. */
    public static final int GRID_POINTS = 400;
    /** The predicted crossover must be within this factor of the measured one. */
    public static final double FACTOR = 1.5;

    private Crossovers() {}

    /**
     * One predicted change of the best mixture, with its 2.5–97.5% bootstrap interval.
     *
     * @param low 2.5% percentile over the draws that have the change (null when none has)
     * @param high 97.5% percentile over the same draws (null when none has)
     * @param drawsWith draws with the same (from, to) change in the range
     * @param draws bootstrap draws searched (0: no interval)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Predicted(double budget, String from, String to, Double low, Double high, int drawsWith,
                            int draws) {}

    /**
     * One measured change: the winner {@code from} at {@code below}, {@code to} at {@code above}, and the budget
     * interpolated in log S on mean_from − mean_to.
     */
    public record Measured(double budget, String from, String to, double below, double above) {}

    /** Every predicted change of the best among {@code mixtures} in [lo, hi], with bootstrap intervals. */
    public static List<Predicted> predicted(Predictor predictor, List<Mixture> mixtures, double lo, double hi) {
        List<ParetoFrontier.Crossover> point = changes(predictor, mixtures, lo, hi);
        List<Predictor> draws = predictor.bootstrapPredictors();
        List<List<ParetoFrontier.Crossover>> perDraw = new ArrayList<>();
        for (Predictor d : draws) {
            List<Mixture> inDraw = mixtures.stream().map(m -> m.in(d.params())).toList();
            perDraw.add(changes(d, inDraw, lo, hi));
        }
        List<Predicted> out = new ArrayList<>();
        for (ParetoFrontier.Crossover c : point) {
            double[] found = new double[perDraw.size()];
            int n = 0;
            for (List<ParetoFrontier.Crossover> draw : perDraw) {
                double near = nearest(draw, c);
                if (!Double.isNaN(near)) {
                    found[n++] = near;
                }
            }
            double[] have = Arrays.copyOf(found, n);
            Arrays.sort(have);
            Double low = n == 0 ? null : Bootstrap.quantileOfSorted(have, 0.025);
            Double high = n == 0 ? null : Bootstrap.quantileOfSorted(have, 0.975);
            out.add(new Predicted(c.budget(), c.from(), c.to(), low, high, n, perDraw.size()));
        }
        return out;
    }

    private static List<ParetoFrontier.Crossover> changes(Predictor p, List<Mixture> mixtures, double lo, double hi) {
        if (mixtures.size() < 2) {
            return List.of();
        }
        return ParetoFrontier.compute(p, mixtures, lo, hi, GRID_POINTS).crossovers();
    }

    /** The budget of the change in {@code draw} with c's (from, to) nearest to c in log S, or NaN. */
    static double nearest(List<ParetoFrontier.Crossover> draw, ParetoFrontier.Crossover c) {
        double best = Double.NaN;
        for (ParetoFrontier.Crossover x : draw) {
            if (x.from().equals(c.from()) && x.to().equals(c.to()) && (Double.isNaN(best)
                    || Math.abs(Math.log(x.budget() / c.budget())) < Math.abs(Math.log(best / c.budget())))) {
                best = x.budget();
            }
        }
        return best;
    }

    /**
     * The measured changes: {@code means[m][j]} is mixture m's mean error at {@code budgets[j]} (increasing; NaN
     * where not measured). The winner of a budget is the lowest mean; where it changes between adjacent budgets the
     * crossover is interpolated linearly in log S on the difference of the two winners' means.
     */
    public static List<Measured> measured(List<String> mixtures, double[] budgets, double[][] means) {
        List<Measured> out = new ArrayList<>();
        int prev = -1;
        int prevJ = -1;
        for (int j = 0; j < budgets.length; j++) {
            int w = winner(means, j);
            if (w < 0) {
                continue;
            }
            if (prev >= 0 && w != prev) {
                double dLo = means[prev][prevJ] - means[w][prevJ];
                double dHi = means[prev][j] - means[w][j];
                out.add(new Measured(interpolate(budgets[prevJ], budgets[j], dLo, dHi), mixtures.get(prev),
                        mixtures.get(w), budgets[prevJ], budgets[j]));
            }
            prev = w;
            prevJ = j;
        }
        return out;
    }

    /**
     * Where d crosses zero between (s1, d1 ≤ 0) and (s2, d2 ≥ 0), linear in log S; the geometric midpoint when d is
     * not measured at both ends or does not change sign (a tie).
     */
    static double interpolate(double s1, double s2, double d1, double d2) {
        double l1 = Math.log(s1);
        double l2 = Math.log(s2);
        if (!Double.isFinite(d1) || !Double.isFinite(d2) || !(d2 - d1 > 0)) {
            return Math.exp(0.5 * (l1 + l2));
        }
        double t = Math.min(1, Math.max(0, -d1 / (d2 - d1)));
        return Math.exp(l1 + t * (l2 - l1));
    }

    private static int winner(double[][] means, int j) {
        int arg = -1;
        for (int m = 0; m < means.length; m++) {
            if (!Double.isNaN(means[m][j]) && (arg < 0 || means[m][j] < means[arg][j])) {
                arg = m;
            }
        }
        return arg;
    }
}
