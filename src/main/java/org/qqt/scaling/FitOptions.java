package org.qqt.scaling;

import java.util.List;
import org.qqt.io.BadInputException;
import org.qqt.io.Checks;

/**
 * How {@link Fitter} fits the law: its conventions, the grid, refinement and bootstrap.
 *
 * @param form where d sits (utility objective only; effective data always adds d at the end)
 * @param objective utility or effective-data
 * @param normalizer N0 (100,000 in the reference)
 * @param d the values of d tried; one value = d fixed, several = d searched (and refined)
 * @param a grid of the shared sample scale a (one step = a fixed at its min)
 * @param b grid of each pool's utility b
 * @param tau grid of each pool's half-life τ
 * @param refine run Levenberg–Marquardt from the best grid point
 * @param bootstrap number of residual-bootstrap refits (0 = none)
 * @param seed seed of the bootstrap resampling
 * @param threads worker threads for the grid and the bootstrap (results do not depend on it)
 * @param pools pools to fit, in output order; null = every pool in order of first appearance
 * @param tie which of b and τ the pools of a group share ({@link Tie#NONE}: each pool its own)
 */
public record FitOptions(LawForm form, Objective objective, double normalizer, List<Double> d,
                         GridAxis a, GridAxis b, GridAxis tau, boolean refine, int bootstrap, long seed,
                         int threads, List<String> pools, Tie tie) {

    /** Options without tying. */
    public FitOptions(LawForm form, Objective objective, double normalizer, List<Double> d, GridAxis a, GridAxis b,
                      GridAxis tau, boolean refine, int bootstrap, long seed, int threads, List<String> pools) {
        this(form, objective, normalizer, d, a, b, tau, refine, bootstrap, seed, threads, pools, Tie.NONE);
    }

    /** Default upper end of the a grid: covers every a the reference code reports (0.021–0.035). */
    public static final double DEFAULT_A_MAX = 0.05;
    /** Default irreducible error d (fixed), as qqt fit's --d. */
    public static final double DEFAULT_D = 0.1;
    public static final GridAxis DEFAULT_B = new GridAxis(-0.5, -0.005, 100);
    public static final GridAxis DEFAULT_TAU = new GridAxis(1, 10, 100);

    public FitOptions {
        d = List.copyOf(d);
        tie = tie == null ? Tie.NONE : tie;
        pools = pools == null ? null : List.copyOf(pools);
        if (d.isEmpty() || d.stream().anyMatch(x -> !Double.isFinite(x))) {
            throw new BadInputException("--d needs one or more finite values, e.g. 0.1 or 0.05,0.1,0.2");
        }
        if (d.stream().distinct().count() != d.size()) {
            throw new BadInputException("--d lists a value twice: " + d);
        }
        d.forEach(v -> Checks.inRange("--d", v, 0, 1)); // an error rate's floor
        if (!(normalizer > 0) || !Double.isFinite(normalizer)) {
            throw new BadInputException("--normalizer must be a positive number, got " + normalizer);
        }
        if (!(a.min() > 0)) {
            throw new BadInputException("the a grid must be positive (a scales samples), got " + a);
        }
        if (!(tau.min() > 0)) {
            throw new BadInputException("the tau grid must be positive (half-life in epochs), got " + tau);
        }
        Checks.notNegative("--bootstrap", bootstrap);
        Checks.positive("--threads", threads);
    }

    /** The reference grid (a∈[1e-4, a_max]×100, b∈[−0.5, −0.005]×100, τ∈[1, 10]×100) with d fixed. */
    public static FitOptions defaults(LawForm form, Objective objective, double d) {
        return new FitOptions(form, objective, Law.DEFAULT_NORMALIZER, List.of(d),
                new GridAxis(1e-4, DEFAULT_A_MAX, 100), DEFAULT_B, DEFAULT_TAU, true, 0, 0,
                Runtime.getRuntime().availableProcessors(), null);
    }

    /** The d values of {@code --d}: one value (d fixed), a list {@code 0.05,0.1,0.2}, or {@code MIN:MAX:STEPS}. */
    public static List<Double> parseD(String text) {
        if (text.contains(":")) {
            return java.util.Arrays.stream(GridAxis.parse("--d", text).values()).boxed().toList();
        }
        List<Double> ds = new java.util.ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                try {
                    ds.add(Double.parseDouble(part.trim()));
                } catch (NumberFormatException e) {
                    throw new BadInputException("--d '" + text + "': write a number, a list such as 0.05,0.1,0.2, "
                            + "or MIN:MAX:STEPS");
                }
            }
        }
        return ds;
    }

    /** a is free unless its grid has a single value. */
    public boolean aSearched() {
        return a.steps() > 1;
    }

    /** d is free unless a single value is given. */
    public boolean dSearched() {
        return d.size() > 1;
    }

    public FitOptions withBootstrap(int draws, long seed) {
        return new FitOptions(form, objective, normalizer, d, a, b, tau, refine, draws, seed, threads, pools, tie);
    }

    public FitOptions withThreads(int n) {
        return new FitOptions(form, objective, normalizer, d, a, b, tau, refine, bootstrap, seed, n, pools, tie);
    }

    public FitOptions withRefine(boolean on) {
        return new FitOptions(form, objective, normalizer, d, a, b, tau, on, bootstrap, seed, threads, pools, tie);
    }

    public FitOptions withA(GridAxis axis) {
        return new FitOptions(form, objective, normalizer, d, axis, b, tau, refine, bootstrap, seed, threads, pools,
                tie);
    }

    public FitOptions withTau(GridAxis axis) {
        return new FitOptions(form, objective, normalizer, d, a, b, axis, refine, bootstrap, seed, threads, pools,
                tie);
    }

    public FitOptions withD(List<Double> values) {
        return new FitOptions(form, objective, normalizer, values, a, b, tau, refine, bootstrap, seed, threads, pools,
                tie);
    }

    public FitOptions withPools(List<String> names) {
        return new FitOptions(form, objective, normalizer, d, a, b, tau, refine, bootstrap, seed, threads, names, tie);
    }

    public FitOptions withTie(Tie t) {
        return new FitOptions(form, objective, normalizer, d, a, b, tau, refine, bootstrap, seed, threads, pools, t);
    }

    /** The law form actually evaluated: effective data always adds d at the end. */
    LawForm effectiveForm() {
        return form.forObjective(objective);
    }
}
