package org.qqt.scaling;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The best mixture per compute budget: the lower envelope of several error-vs-samples curves over a
 * log-spaced budget grid, and the budgets where the best mixture changes.
 *
 * <p>Each change between two neighbouring grid points is located by bisection (in log budget) on the
 * difference of the two curves until the bracket is narrower than 1e-6 of the budget (far below the 0.1% that
 * matters, so that displays rounded to 3 digits agree whatever the grid); the crossover is the
 * geometric midpoint of the last bracket. If a third curve beats both at the crossing, the interval is split
 * there and each half resolved the same way, so a mixture that is best only between two grid points is found
 * as long as it is best at the crossing of its neighbours.
 */
public final class ParetoFrontier {
    /** Relative bracket width at which bisection stops. */
    public static final double TOLERANCE = 1e-6;
    private static final int MAX_DEPTH = 32;

    private ParetoFrontier() {}

    /** A budget where the best mixture changes from {@code from} to {@code to}. */
    public record Crossover(double budget, String from, String to) {}

    /**
     * @param grid log-spaced budgets from the lowest to the highest
     * @param best the best mixture's name at each grid budget
     * @param error the best mixture's error at each grid budget
     * @param crossovers in increasing budget
     */
    public record Frontier(List<Double> grid, List<String> best, List<Double> error, List<Crossover> crossovers) {}

    /** The frontier of {@code mixtures} as predicted by {@code predictor}. */
    public static Frontier compute(Predictor predictor, List<Mixture> mixtures, double lo, double hi, int points) {
        List<String> names = mixtures.stream().map(Mixture::name).toList();
        List<DoubleUnaryOperator> curves = mixtures.stream().map(predictor::curve).toList();
        return compute(names, curves, lo, hi, points);
    }

    /** The frontier of arbitrary curves (name i ↔ curve i) over {@code points} log-spaced budgets in [lo, hi]. */
    public static Frontier compute(List<String> names, List<DoubleUnaryOperator> curves, double lo, double hi,
                                   int points) {
        if (names.size() != curves.size() || names.isEmpty()) {
            throw new IllegalArgumentException("need one name per curve and at least one curve");
        }
        if (!(lo > 0) || !(hi >= lo)) {
            throw new IllegalArgumentException("need 0 < lo <= hi, got " + lo + ", " + hi);
        }
        double[] grid = logGrid(lo, hi, lo == hi ? 1 : Math.max(points, 2));
        List<Double> g = new ArrayList<>();
        List<String> best = new ArrayList<>();
        List<Double> err = new ArrayList<>();
        int[] arg = new int[grid.length];
        for (int j = 0; j < grid.length; j++) {
            arg[j] = argmin(curves, grid[j]);
            g.add(grid[j]);
            best.add(names.get(arg[j]));
            err.add(curves.get(arg[j]).applyAsDouble(grid[j]));
        }
        List<Crossover> crossovers = new ArrayList<>();
        for (int j = 1; j < grid.length; j++) {
            if (arg[j] != arg[j - 1]) {
                resolve(names, curves, grid[j - 1], grid[j], arg[j - 1], arg[j], crossovers, 0);
            }
        }
        return new Frontier(g, best, err, crossovers);
    }

    /** Finds where curve {@code a} (best at lo) hands over to {@code b} (best at hi); splits if a third wins. */
    private static void resolve(List<String> names, List<DoubleUnaryOperator> curves, double lo, double hi,
                                int a, int b, List<Crossover> out, int depth) {
        double x = bisect(curves.get(a), curves.get(b), lo, hi);
        int c = argmin(curves, x);
        double ex = Math.min(curves.get(a).applyAsDouble(x), curves.get(b).applyAsDouble(x));
        if (c == a || c == b || depth >= MAX_DEPTH || !(curves.get(c).applyAsDouble(x) < ex)) {
            out.add(new Crossover(x, names.get(a), names.get(b)));
            return;
        }
        resolve(names, curves, lo, x, a, c, out, depth + 1);
        resolve(names, curves, x, hi, c, b, out, depth + 1);
    }

    /**
     * The budget in [lo, hi] where f − g changes sign (f ≤ g at lo, f ≥ g at hi), to {@link #TOLERANCE}
     * relative width, bisecting in log budget.
     */
    public static double bisect(DoubleUnaryOperator f, DoubleUnaryOperator g, double lo, double hi) {
        double l = Math.log(lo);
        double h = Math.log(hi);
        double dl = f.applyAsDouble(lo) - g.applyAsDouble(lo);
        double tol = Math.log1p(TOLERANCE);
        while (h - l > tol) {
            double m = 0.5 * (l + h);
            double s = Math.exp(m);
            double dm = f.applyAsDouble(s) - g.applyAsDouble(s);
            if ((dm <= 0) == (dl <= 0)) {
                l = m;
                dl = dm;
            } else {
                h = m;
            }
        }
        return Math.exp(0.5 * (l + h));
    }

    /** {@code n} budgets log-spaced from lo to hi, both included exactly. */
    public static double[] logGrid(double lo, double hi, int n) {
        double[] out = new double[n];
        if (n == 1) {
            out[0] = lo;
            return out;
        }
        double ll = Math.log(lo);
        double step = (Math.log(hi) - ll) / (n - 1);
        for (int i = 0; i < n; i++) {
            out[i] = Math.exp(ll + i * step);
        }
        out[0] = lo;
        out[n - 1] = hi;
        return out;
    }

    private static int argmin(List<DoubleUnaryOperator> curves, double s) {
        int arg = 0;
        double best = curves.get(0).applyAsDouble(s);
        for (int i = 1; i < curves.size(); i++) {
            double v = curves.get(i).applyAsDouble(s);
            if (v < best) {
                best = v;
                arg = i;
            }
        }
        return arg;
    }
}
