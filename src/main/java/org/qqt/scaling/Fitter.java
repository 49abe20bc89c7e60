package org.qqt.scaling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qqt.io.BadInputException;

/**
 * Fits the scaling law to observations: a and d shared by all pools, b and τ per pool or shared by the pools of a
 * tie group ({@link Tie}), minimising the sum of squared errors over all points of all pools.
 * <ol>
 *   <li>an exhaustive, deterministic grid (the reference's: a∈linspace(1e-4, a_max, 100),
 *       b∈linspace(−0.5, −0.005, 100), τ∈linspace(1, 10, 100), d fixed or each of a list) — see
 *       {@link GridSearch} for why it takes milliseconds;
 *   <li>Levenberg–Marquardt over (ln a, [d], b_i, ln τ_i) from the best grid point, kept only if it lowers the
 *       SSE (the result is never worse than the grid);
 *   <li>optionally a residual bootstrap ({@link Bootstrap}) for percentile intervals and prediction bands.
 * </ol>
 */
public final class Fitter {
    private Fitter() {}

    /**
     * Fits {@code observations}. {@code metric} is recorded in the report. Bad input (no points, an error outside
     * [0, 1], a pool with two sizes, fewer points than free parameters) is a one-line BadInputException.
     */
    public static FitResult fit(List<Observation> observations, FitOptions opt, String metric) {
        FitData data = FitData.of(observations, opt.pools(), opt.normalizer(), opt.tie());
        int p = data.pools();
        FitModel shape = new FitModel(data, opt.form(), opt.objective(), opt.aSearched(), opt.a().min(),
                opt.dSearched(), opt.d().get(0), opt.tie());
        int free = shape.dim();
        if (data.size() < free) {
            throw new BadInputException(data.size() + " observations but " + free + " free parameters (" + shape.bSlots
                    + " b and " + shape.tauSlots + " tau for " + p + " pool(s)" + (opt.aSearched() ? ", a" : "")
                    + (opt.dSearched() ? ", d" : "") + "); add runs (at least 3 per pool), share b and tau between "
                    + "pools (--tie b,tau), fix a or d with a single value, or fit fewer pools");
        }
        double[] aAxis = opt.a().values();
        double[] bAxis = opt.b().values();
        double[] tAxis = opt.tau().values();

        long t0 = System.nanoTime();
        GridSearch.Best best = GridSearch.run(data, opt);
        long t1 = System.nanoTime();
        if (!Double.isFinite(best.sse())) {
            throw new BadInputException("the law is not finite anywhere on the grid (SSE " + best.sse()
                    + "); check --a-range/--a-max, --b-range and --tau-range");
        }

        double gridA = aAxis[best.aIndex()];
        double gridD = opt.d().get(best.dIndex());
        double[] gridB = new double[p];
        double[] gridTau = new double[p];
        for (int i = 0; i < p; i++) {
            gridB[i] = bAxis[best.bIndex()[i]];
            gridTau[i] = tAxis[best.tauIndex()[i]];
        }
        FitModel model = new FitModel(data, opt.form(), opt.objective(), opt.aSearched(), gridA,
                opt.dSearched(), gridD, opt.tie());
        double[] thetaGrid = model.theta(gridA, gridD, gridB, gridTau);
        double gridSse = model.sse(thetaGrid, data.y); // point by point, not the grid's quadratic form
        double[] theta = thetaGrid;
        double sse = gridSse;
        boolean refined = false;
        if (opt.refine()) {
            double[] lm = model.refine(thetaGrid, data.y);
            if (lm != null) {
                double lmSse = model.sse(lm, data.y);
                if (lmSse < gridSse) {
                    theta = lm;
                    sse = lmSse;
                    refined = true;
                }
            }
        }
        long t2 = System.nanoTime();

        List<String> warnings = new ArrayList<>();
        edgeWarnings(warnings, opt, best, data, model);
        if (opt.refine() && !refined) {
            warnings.add("Levenberg-Marquardt did not improve on the grid point; the grid optimum is reported");
        }

        List<double[]> draws = List.of();
        if (opt.bootstrap() > 0) {
            draws = Bootstrap.draws(model, theta, data.y, opt.bootstrap(), opt.seed(), opt.threads()).stream()
                    .filter(t -> usable(model, t)).toList();
            if (draws.size() < opt.bootstrap()) {
                warnings.add((opt.bootstrap() - draws.size()) + " of " + opt.bootstrap()
                        + " bootstrap refits failed and were left out");
            }
        }
        long t3 = System.nanoTime();

        List<PoolParams> gridPools = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            gridPools.add(new PoolParams(data.names.get(i), data.sizes[i], gridB[i], gridTau[i]));
        }
        // the grid point keeps its exact grid values (no round trip through ln a, ln τ)
        ScalingParams gridParams = new ScalingParams(gridA, gridD, opt.normalizer(), gridPools);
        ScalingParams params = refined ? params(model, theta, data, opt.normalizer()) : gridParams;

        double[] fitted = model.values(theta, null);
        List<FitReport.Residual> residuals = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            for (int j = data.start[i]; j < data.start[i + 1]; j++) {
                Observation o = data.points[j];
                residuals.add(new FitReport.Residual(o.pool(), o.samplesSeen(), o.error(), fitted[j],
                        o.error() - fitted[j]));
            }
        }
        List<FitReport.Interval> intervals = null;
        List<ScalingParams.BootstrapDraw> bootstrap = null;
        if (opt.bootstrap() > 0 && !draws.isEmpty()) {
            bootstrap = new ArrayList<>();
            for (double[] t : draws) {
                List<Double> b = new ArrayList<>();
                List<Double> tau = new ArrayList<>();
                for (int i = 0; i < p; i++) {
                    b.add(model.b(t, i));
                    tau.add(model.tau(t, i));
                }
                bootstrap.add(new ScalingParams.BootstrapDraw(model.a(t), model.d(t), b, tau));
            }
            intervals = intervals(params, bootstrap, opt.aSearched(), opt.dSearched(), model);
        }
        FitReport report = new FitReport(opt.effectiveForm().cliName(), opt.objective().cliName(), metric,
                data.size(), free, gridSse, sse, Math.sqrt(sse / data.size()), residuals, ranges(opt),
                intervals, opt.refine() ? refined : null, opt.bootstrap() > 0 ? draws.size() : null,
                warnings.isEmpty() ? null : warnings, tied(data, opt.tie()), null, Nesting.of(data.names, data.sizes));
        ScalingParams out = new ScalingParams(params.a(), params.d(), opt.normalizer(), params.pools(), report,
                bootstrap);
        return new FitResult(out, gridParams, best.rows(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
    }

    private static ScalingParams params(FitModel model, double[] theta, FitData data, double normalizer) {
        List<PoolParams> pools = new ArrayList<>();
        for (int i = 0; i < data.pools(); i++) {
            pools.add(new PoolParams(data.names.get(i), data.sizes[i], model.b(theta, i), model.tau(theta, i)));
        }
        return new ScalingParams(model.a(theta), model.d(theta), normalizer, pools);
    }

    /**
     * A refit whose parameters the law can use: a &gt; 0 and τ &gt; 0 finite (exp of the fitted logs can underflow to
     * 0 or overflow where a draw runs off along a flat direction), d and every b finite. Others count as failed.
     */
    static boolean usable(FitModel model, double[] theta) {
        double a = model.a(theta);
        if (!(a > 0) || !Double.isFinite(a) || !Double.isFinite(model.d(theta))) {
            return false;
        }
        for (int i = 0; i < model.data.pools(); i++) {
            double tau = model.tau(theta, i);
            if (!Double.isFinite(model.b(theta, i)) || !(tau > 0) || !Double.isFinite(tau)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Percentile 95% intervals of every free parameter over the bootstrap draws: a and d when searched, then b and
     * τ per slot (a pool, or a tie group), named "b[pool]" or "b[group]".
     */
    static List<FitReport.Interval> intervals(ScalingParams est, List<ScalingParams.BootstrapDraw> draws,
                                              boolean aSearched, boolean dSearched, FitModel model) {
        List<FitReport.Interval> out = new ArrayList<>();
        if (aSearched) {
            out.add(interval("a", est.a(), draws.stream().mapToDouble(ScalingParams.BootstrapDraw::a).toArray()));
        }
        if (dSearched) {
            out.add(interval("d", est.d(), draws.stream().mapToDouble(ScalingParams.BootstrapDraw::d).toArray()));
        }
        java.util.Set<Integer> seenB = new java.util.HashSet<>();
        java.util.Set<Integer> seenTau = new java.util.HashSet<>();
        for (int i = 0; i < est.pools().size(); i++) {
            int k = i;
            PoolParams pp = est.pools().get(i);
            if (seenB.add(model.bSlot[i])) {
                out.add(interval("b[" + slotLabel(model, true, i) + "]", pp.b(),
                        draws.stream().mapToDouble(x -> x.b().get(k)).toArray()));
            }
            if (seenTau.add(model.tauSlot[i])) {
                out.add(interval("tau[" + slotLabel(model, false, i) + "]", pp.tau(),
                        draws.stream().mapToDouble(x -> x.tau().get(k)).toArray()));
            }
        }
        return out;
    }

    /** The name of pool i's b (or τ) slot: the pool's name, or its tie group's when that parameter is tied. */
    static String slotLabel(FitModel model, boolean b, int pool) {
        boolean tied = b ? model.tie.b() : model.tie.tau();
        return tied ? model.data.groupLabel(model.data.groupOf[pool]) : model.data.names.get(pool);
    }

    /** The tie groups of a fit as reported (null without tying). */
    static FitReport.Tied tied(FitData data, Tie tie) {
        if (!tie.any()) {
            return null;
        }
        List<FitReport.TieGroup> groups = new ArrayList<>();
        for (int g = 0; g < data.groups(); g++) {
            List<String> pools = new ArrayList<>();
            for (int i : data.groupPools[g]) {
                pools.add(data.names.get(i));
            }
            groups.add(new FitReport.TieGroup(data.groupLabel(g), pools));
        }
        return new FitReport.Tied(tie.names(), groups);
    }

    private static FitReport.Interval interval(String name, double estimate, double[] values) {
        return new FitReport.Interval(name, estimate, Bootstrap.quantile(values, 0.025),
                Bootstrap.quantile(values, 0.975), 0.95);
    }

    private static void edgeWarnings(List<String> warnings, FitOptions opt, GridSearch.Best best, FitData data,
                                     FitModel model) {
        if (opt.a().steps() > 1) {
            if (best.aIndex() == opt.a().steps() - 1) {
                warnings.add(String.format(Locale.ROOT,
                        "the grid optimum of a is at the top of its grid (%g): raise --a-max", opt.a().max()));
            } else if (best.aIndex() == 0) {
                warnings.add(String.format(Locale.ROOT,
                        "the grid optimum of a is at the bottom of its grid (%g): lower the a range", opt.a().min()));
            }
        }
        if (opt.dSearched() && (best.dIndex() == 0 || best.dIndex() == opt.d().size() - 1)) {
            warnings.add("the grid optimum of d is the first or last --d value (" + opt.d().get(best.dIndex())
                    + "): widen the list");
        }
        for (int i = 0; i < data.pools(); i++) {
            if (opt.b().steps() > 1 && (best.bIndex()[i] == 0 || best.bIndex()[i] == opt.b().steps() - 1)) {
                addOnce(warnings, "'" + slotLabel(model, true, i) + "': the grid optimum of b is on the edge of "
                        + "--b-range " + opt.b() + " (LM may leave the grid; widen it if the fit looks wrong)");
            }
            if (opt.tau().steps() > 1 && (best.tauIndex()[i] == 0 || best.tauIndex()[i] == opt.tau().steps() - 1)) {
                addOnce(warnings, "'" + slotLabel(model, false, i) + "': the grid optimum of tau is on the edge of "
                        + "--tau-range " + opt.tau() + " (LM may leave the grid; widen it if the fit looks wrong)");
            }
        }
    }

    private static void addOnce(List<String> warnings, String w) {
        if (!warnings.contains(w)) {
            warnings.add(w);
        }
    }

    private static FitReport.GridRanges ranges(FitOptions opt) {
        return new FitReport.GridRanges(opt.a().min(), opt.a().max(), opt.a().steps(), opt.b().min(), opt.b().max(),
                opt.b().steps(), opt.tau().min(), opt.tau().max(), opt.tau().steps(), opt.d());
    }
}
