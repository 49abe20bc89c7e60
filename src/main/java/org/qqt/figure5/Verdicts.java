package org.qqt.figure5;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.scaling.Crossovers;
import org.qqt.scaling.ValidationFile;
import org.qqt.sweep.Crossover;

/**
 * {@code verdicts.json}: the three "must show" checks of a Figure 5, each pass, fail or n/a with the numbers it was
 * decided on. Written by the validate step (this record is the file's only writer and reader), read by the report.
 * <ol>
 *   <li>{@code mae}: predicted-vs-actual MAE ≤ max(0.01, mean seed SE of the actual points), the SE of a point being
 *       the standard error of its mean over seeds (undefined with one seed: then the threshold is 0.01);
 *   <li>{@code best_mixture}: at every budget where the measured winner's margin over the runner-up exceeds 2
 *       combined SE (√(se₁² + se₂²)) the predicted best mixture is the measured winner; n/a when no budget is
 *       decisive (one seed: no SE, so none is);
 *   <li>{@code crossover}: each measured crossover has a predicted one within a factor 1.5 (the nearest in log S);
 *       n/a with no measured crossover, fail when one is measured but none predicted.
 * </ol>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Verdicts(Mae mae, @JsonProperty("best_mixture") Best bestMixture, Cross crossover) {
    public static final String PASS = "pass";
    public static final String FAIL = "fail";
    public static final String NA = "n/a";
    /** The MAE threshold's floor. */
    public static final double MAE_FLOOR = 0.01;
    /** A budget is decisive when the measured margin exceeds this many combined SE. */
    public static final double DECISIVE_SE = 2;

    /** Verdict (a). {@code meanSeedSe} is null when no point has an SE (one seed). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Mae(String status, double mae, double threshold, @JsonProperty("mean_seed_se") Double meanSeedSe,
                      @JsonProperty("points_with_se") int pointsWithSe, int points, String note) {}

    /** One budget of verdict (b); margin and combined SE are null where undefined (one mixture, one seed). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BudgetCheck(@JsonProperty("samples_seen") double samplesSeen, String winner,
                              @JsonProperty("runner_up") String runnerUp, Double margin,
                              @JsonProperty("combined_se") Double combinedSe, boolean decisive,
                              @JsonProperty("predicted_best") String predictedBest, boolean agree) {}

    /** Verdict (b). */
    public record Best(String status, List<BudgetCheck> budgets, int decisive, @JsonProperty("decisive_agree") int
            decisiveAgree, String note) {}

    /** A measured crossover, the predicted one nearest to it in log S (null: none), and their ratio. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pair(Crossovers.Measured measured, Crossovers.Predicted predicted, Double ratio, boolean within,
                       @JsonProperty("measured_in_interval") Boolean measuredInInterval) {}

    /** Verdict (c). */
    public record Cross(String status, double factor, List<Crossovers.Predicted> predicted,
                        List<Crossovers.Measured> measured, List<Pair> pairs, String note) {}

    /** The three verdicts from the validation file, the measured table and the crossovers. */
    public static Verdicts of(ValidationFile val, Crossover.Table table, List<Crossovers.Predicted> predicted,
                              List<Crossovers.Measured> measured) {
        return new Verdicts(mae(val), best(val, table), cross(predicted, measured));
    }

    static Mae mae(ValidationFile val) {
        double sum = 0;
        int n = 0;
        for (ValidationFile.Point p : val.points()) {
            if (p.actualSe() != null && Double.isFinite(p.actualSe())) {
                sum += p.actualSe();
                n++;
            }
        }
        Double se = n == 0 ? null : sum / n;
        double threshold = se == null ? MAE_FLOOR : Math.max(MAE_FLOOR, se);
        String note = se == null ? "seed SE undefined (one seed per point): threshold is the 0.01 floor"
                : n < val.points().size() ? (val.points().size() - n) + " point(s) with one seed have no SE" : null;
        return new Mae(val.mae() <= threshold ? PASS : FAIL, val.mae(), threshold, se, n, val.points().size(), note);
    }

    static Best best(ValidationFile val, Crossover.Table table) {
        List<BudgetCheck> rows = new ArrayList<>();
        int decisive = 0;
        int agree = 0;
        for (Crossover.Winner w : table.winners()) {
            String predicted = val.budgets().stream().filter(b -> same(b.samplesSeen(), w.samplesSeen()))
                    .map(ValidationFile.Budget::predictedBest).findFirst().orElse(null);
            Double margin = w.runnerUp() == null ? null : w.margin();
            Double se = w.runnerUp() == null || !Double.isFinite(w.combinedSe()) ? null : w.combinedSe();
            boolean dec = margin != null && se != null && margin > DECISIVE_SE * se;
            boolean ok = w.winner().equals(predicted);
            if (dec) {
                decisive++;
                agree += ok ? 1 : 0;
            }
            rows.add(new BudgetCheck(w.samplesSeen(), w.winner(), w.runnerUp(), margin, se, dec, predicted, ok));
        }
        String status = decisive == 0 ? NA : agree == decisive ? PASS : FAIL;
        boolean seNone = rows.stream().allMatch(r -> r.combinedSe() == null);
        String note = decisive > 0 ? null : seNone ? "no budget is decisive: combined SE undefined (one seed)"
                : "no budget is decisive: every measured margin is within 2 combined SE";
        return new Best(status, rows, decisive, agree, note);
    }

    static Cross cross(List<Crossovers.Predicted> predicted, List<Crossovers.Measured> measured) {
        List<Pair> pairs = new ArrayList<>();
        boolean all = true;
        for (Crossovers.Measured m : measured) {
            Crossovers.Predicted near = null;
            for (Crossovers.Predicted p : predicted) {
                if (near == null || Math.abs(Math.log(p.budget() / m.budget()))
                        < Math.abs(Math.log(near.budget() / m.budget()))) {
                    near = p;
                }
            }
            Double ratio = near == null ? null : near.budget() / m.budget();
            boolean within = ratio != null && Math.max(ratio, 1 / ratio) <= Crossovers.FACTOR;
            Boolean inside = near == null || near.low() == null ? null
                    : m.budget() >= near.low() && m.budget() <= near.high();
            all &= within;
            pairs.add(new Pair(m, near, ratio, within, inside));
        }
        String status;
        String note = null;
        if (measured.isEmpty()) {
            status = NA;
            note = "no measured crossover" + (predicted.isEmpty() ? "; no predicted crossover" : "");
        } else if (predicted.isEmpty()) {
            status = FAIL;
            note = "no predicted crossover";
        } else {
            status = all ? PASS : FAIL;
        }
        return new Cross(status, Crossovers.FACTOR, List.copyOf(predicted), List.copyOf(measured), pairs, note);
    }

    private static boolean same(double a, double b) {
        return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    }

    /** The measured crossovers of a table of means over seeds ({@link Crossovers#measured}). */
    static List<Crossovers.Measured> measured(Crossover.Table table) {
        double[] budgets = table.budgets().stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[][] means = new double[table.mixtures().size()][budgets.length];
        for (int m = 0; m < means.length; m++) {
            for (int j = 0; j < budgets.length; j++) {
                means[m][j] = table.cell(table.mixtures().get(m), budgets[j]).stats().mean();
            }
        }
        return Crossovers.measured(table.mixtures(), budgets, means);
    }

    /** One line per verdict ("(a) MAE ...: pass"), as the validate step prints them. */
    List<String> lines() {
        return List.of(
                String.format(Locale.ROOT, "(a) MAE %.4f, threshold %.4f: %s", mae.mae(), mae.threshold(),
                        mae.status()),
                String.format(Locale.ROOT, "(b) best mixture at %d of %d decisive budgets: %s", bestMixture
                        .decisiveAgree(), bestMixture.decisive(), bestMixture.status()),
                "(c) crossover within x" + crossover.factor() + ": " + crossover.status()
                        + (crossover.note() == null ? "" : " (" + crossover.note() + ")"));
    }

    /** A budget for the report. */
    static String budget(double s) {
        return SampleCount.format(Math.rint(s));
    }

    /** Writes verdicts.json (pretty JSON, atomically). */
    public void write(Path file) {
        Json.write(file, this);
    }

    /** Reads a verdicts.json; a malformed one is a one-line BadInputException naming the file. */
    public static Verdicts read(Path file) {
        return Json.read(file, Verdicts.class);
    }
}
