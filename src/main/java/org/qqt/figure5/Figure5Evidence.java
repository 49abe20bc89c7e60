package org.qqt.figure5;

import static org.qqt.figure5.Figure5Report.f4;
import static org.qqt.figure5.Figure5Report.g4;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qqt.figure5.ReportDoc.Block;
import org.qqt.figure5.ReportDoc.Image;
import org.qqt.figure5.ReportDoc.Para;
import org.qqt.figure5.ReportDoc.Section;
import org.qqt.figure5.ReportDoc.Table;
import org.qqt.io.SampleCount;
import org.qqt.scaling.CrossValidation;
import org.qqt.scaling.Crossovers;
import org.qqt.scaling.FitReport;
import org.qqt.scaling.GridAxis;
import org.qqt.scaling.ScalingParams;
import org.qqt.sweep.RunSpec;

/**
 * The evidence sections of the Figure 5 report: the three verdicts, the settings the config chose, the residual of
 * every bucket run, the training curves, and the predicted crossovers next to the measured ones.
 */
final class Figure5Evidence {
    private Figure5Evidence() {}

    private static String mark(String status) {
        return switch (status) {
            case Verdicts.PASS -> "**PASS**";
            case Verdicts.FAIL -> "**FAIL**";
            default -> "**n/a**";
        };
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    private static String num(Double v) {
        return v == null ? "n/a" : f4(v);
    }

    /** The three "must show" verdicts with the numbers each was decided on. */
    static Section verdicts(String title, Verdicts v) {
        List<Block> out = new ArrayList<>();
        out.add(new Para("Computed by the validate step and written to `verdicts.json`; the validation runs are not "
                + "seen by the fit."));
        Verdicts.Mae a = v.mae();
        out.add(new Para(String.format(Locale.ROOT, "(a) Predicted-vs-actual MAE ≤ max(0.01, mean seed SE of the "
                        + "actual points): %s. MAE %s, threshold %s; mean seed SE %s (SE of each point's mean over "
                        + "seeds, %d of %d points have one)%s.", mark(a.status()), f4(a.mae()), f4(a.threshold()),
                num(a.meanSeedSe()), a.pointsWithSe(), a.points(), a.note() == null ? "" : "; " + a.note())));
        Verdicts.Best b = v.bestMixture();
        out.add(new Para(String.format(Locale.ROOT, "(b) The predicted best mixture is the measured winner at every "
                        + "budget where the measured margin exceeds 2 combined SE: %s. %d decisive budget(s), the "
                        + "prediction agrees at %d%s. Margin: runner-up's mean − winner's mean; combined SE: "
                        + "√(se_winner² + se_runner-up²).", mark(b.status()), b.decisive(), b.decisiveAgree(),
                b.note() == null ? "" : " (" + b.note() + ")")));
        List<List<String>> rows = new ArrayList<>();
        for (Verdicts.BudgetCheck c : b.budgets()) {
            rows.add(List.of(Verdicts.budget(c.samplesSeen()), c.winner(), c.runnerUp() == null ? "-" : c.runnerUp(),
                    num(c.margin()), num(c.combinedSe()), yes(c.decisive()),
                    c.predictedBest() == null ? "n/a" : c.predictedBest(), yes(c.agree())));
        }
        out.add(new Table(List.of("budget", "measured winner", "runner-up", "margin", "combined SE", "decisive",
                "predicted best", "agree"), rows));
        Verdicts.Cross c = v.crossover();
        out.add(new Para("(c) The predicted crossover within a factor " + c.factor() + " of the measured one: "
                + mark(c.status()) + (c.note() == null ? "" : " (" + c.note() + ")") + ". Each measured crossover "
                + "is paired with the predicted one nearest to it in log S (definitions under Crossovers)."));
        List<List<String>> pairs = new ArrayList<>();
        for (Verdicts.Pair p : c.pairs()) {
            Crossovers.Predicted q = p.predicted();
            pairs.add(List.of(p.measured().from() + " → " + p.measured().to(), Verdicts.budget(p.measured().budget()),
                    q == null ? "none" : q.from() + " → " + q.to(), q == null ? "n/a" : Verdicts.budget(q.budget()),
                    q == null ? "n/a" : interval(q), p.ratio() == null ? "n/a" : g4(p.ratio()), yes(p.within()),
                    p.measuredInInterval() == null ? "n/a" : yes(p.measuredInInterval())));
        }
        if (!pairs.isEmpty()) {
            out.add(new Table(List.of("measured change", "measured at", "nearest predicted change", "predicted at",
                    "predicted 95%", "ratio", "within ×" + c.factor(), "measured in 95%"), pairs));
        }
        return new Section(title, out);
    }

    private static String interval(Crossovers.Predicted q) {
        if (q.draws() == 0) {
            return "n/a (no bootstrap draws)";
        }
        String found = q.drawsWith() + " of " + q.draws() + " draws";
        return q.low() == null ? "n/a (" + found + ")"
                : "[" + Verdicts.budget(q.low()) + ", " + Verdicts.budget(q.high()) + "] (" + found + ")";
    }

    /** The metric and the fit settings, as the config chose them. */
    static Section settings(String title, Figure5Config.Section f5, ScalingParams params, FitReport rep,
                            List<String> fitted, double[] range) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("metric (figure5.metric)", f5.metricOrDefault()));
        rows.add(List.of("law, objective, mixture order", f5.lawForm().cliName() + ", " + f5.objectiveKind().cliName()
                + ", " + f5.mixtureOrder().name().toLowerCase(Locale.ROOT)));
        rows.add(List.of("N0 (figure5.normalizer)", SampleCount.format(params.normalizerOrDefault())));
        rows.add(List.of("d (figure5.d, fixed)", g4(params.d())));
        rows.add(List.of("a (figure5.a / a_max)", f5.a() != null ? g4(f5.a()) + " (fixed)" : grid(f5.aGrid())));
        rows.add(List.of("b grid (figure5.b_range)", grid(f5.bGrid())));
        rows.add(List.of("τ grid (figure5.tau_range)", grid(f5.tauGrid())));
        rows.add(List.of("bootstrap draws (figure5.bootstrap)", f5.bootstrapOrDefault() + " asked, "
                + (rep.bootstrapDraws() == null ? 0 : rep.bootstrapDraws()) + " converged"));
        rows.add(List.of("buckets fitted", String.join(", ", fitted)));
        rows.add(List.of("curves and crossover search", SampleCount.format(range[0]) + " to "
                + SampleCount.format(range[1]) + " samples seen, " + Crossovers.GRID_POINTS + " log-spaced budgets"));
        return new Section(title, List.of(new Para("The metric and fit settings are choices of the config (its text "
                + "is under Reproduce); the values used:"), new Table(List.of("setting", "value"), rows)));
    }

    private static String grid(GridAxis g) {
        return g4(g.min()) + " to " + g4(g.max()) + ", " + g.steps() + " points";
    }

    /**
     * Every bucket run's residual (the fit's points, in the fit's order), with its seed: the k-th point of a
     * (bucket, budget) is the k-th bucket run of the plan with that bucket and budget.
     */
    static Section residuals(String title, FitReport rep, List<RunSpec> bucketRuns) {
        List<Block> out = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        boolean[] used = new boolean[bucketRuns.size()];
        double max = 0;
        for (FitReport.Residual r : rep.residuals() == null ? List.<FitReport.Residual>of() : rep.residuals()) {
            String seed = "?";
            for (int i = 0; i < bucketRuns.size(); i++) {
                RunSpec run = bucketRuns.get(i);
                if (!used[i] && run.poolName().equals(r.pool())
                        && Math.abs(run.samplesSeen() - r.samplesSeen()) <= 1e-9 * r.samplesSeen()) {
                    used[i] = true;
                    seed = Long.toString(run.seed());
                    break;
                }
            }
            max = Math.max(max, Math.abs(r.residual()));
            rows.add(List.of(r.pool(), SampleCount.format(r.samplesSeen()), seed, f4(r.observed()), f4(r.fitted()),
                    f4(r.residual())));
        }
        out.add(new Para(String.format(Locale.ROOT, "Every bucket run is a point of the fit. Fit RMSE %s, max "
                + "|residual| %s over %d points.", g4(rep.rmse()), f4(max), rows.size())));
        out.add(new Table(List.of("bucket", "samples seen", "seed", "actual", "fitted", "residual (actual − fitted)"),
                rows));
        CrossValidation cv = rep.crossValidation();
        out.add(new Para("Errors on bucket runs the law did not see (every held-out point under Cross-validation): "
                + "leave-one-out MAE " + scheme(cv == null ? null : cv.leaveOneOut()) + ", extrapolation MAE "
                + scheme(cv == null ? null : cv.extrapolate()) + "."));
        out.add(new Image("Residual of every bucket run vs samples seen", "residuals.png"));
        out.add(new Para("Vector version: `residuals.svg`."));
        return new Section(title, out);
    }

    private static String scheme(CrossValidation.Scheme s) {
        return s == null ? "n/a (not run)" : "**" + f4(s.mae()) + "** (max " + f4(s.maxError()) + ", "
                + s.points().size() + " points)";
    }

    static Section trainingCurves(String title) {
        return new Section(title, List.of(
                new Image("Training loss vs samples seen of every run, one panel per pool", "training-curves.png"),
                new Para("Each run's training loss (its `metrics.jsonl`, thinned to at most 300 window means) vs "
                        + "samples seen; one panel per bucket and per validation mixture, one line per run, one "
                        + "colour per budget (its seeds share it). Vector version: `training-curves.svg`.")));
    }

    /** Every predicted change with its bootstrap interval, and every measured change. */
    static Section crossovers(String title, Verdicts v) {
        List<Block> out = new ArrayList<>();
        Verdicts.Cross c = v.crossover();
        out.add(new Para("Predicted crossover: a budget where the predicted best of the validation mixtures changes, "
                + "found on the predicted curves over " + Crossovers.GRID_POINTS + " log-spaced budgets and located "
                + "by bisection in log S. Its 95% interval: the 2.5–97.5% percentiles of the same change (same "
                + "from → to, nearest in log S) in the bootstrap draws' curves; draws without that change in the "
                + "range are counted (\"k of n draws\") and left out of the percentiles."));
        List<List<String>> rows = new ArrayList<>();
        for (Crossovers.Predicted p : c.predicted()) {
            rows.add(List.of(p.from() + " → " + p.to(), Verdicts.budget(p.budget()), interval(p)));
        }
        out.add(rows.isEmpty() ? new Para("No predicted crossover: one mixture is predicted best over the whole range.")
                : new Table(List.of("predicted change", "budget", "95% interval"), rows));
        out.add(new Para("Measured crossover: where the measured winner (lowest mean over seeds) changes between two "
                + "adjacent validation budgets, interpolated linearly in log S on the difference of the two "
                + "mixtures' measured means."));
        List<List<String>> mrows = new ArrayList<>();
        for (Crossovers.Measured m : c.measured()) {
            mrows.add(List.of(m.from() + " → " + m.to(), Verdicts.budget(m.below()) + " – " + Verdicts.budget(m
                    .above()), Verdicts.budget(m.budget())));
        }
        out.add(mrows.isEmpty() ? new Para("No measured crossover: the same mixture wins at every validation budget.")
                : new Table(List.of("measured change", "between budgets", "interpolated budget"), mrows));
        return new Section(title, out);
    }
}
