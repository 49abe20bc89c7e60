package org.qqt.figure5;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.AtomicFiles;
import org.qqt.io.Json;
import org.qqt.scaling.Mixture;
import org.qqt.scaling.Observation;
import org.qqt.scaling.ScalingParams;
import org.qqt.scaling.Validation;
import org.qqt.sweep.SeedStats;

/**
 * validate: the validation runs' mean error per (mixture, budget) against the prediction, as qqt validate; writes
 * validation.json and validation.csv.
 */
final class ValidateStep extends Figure5Step.Fingerprinted {
    private final Figure5Context ctx;

    ValidateStep(Figure5Context ctx, StepLedger ledger) {
        super(ledger);
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "validate";
    }

    @Override
    List<Path> outputs() {
        return List.of(ctx.file("validation.json"), ctx.file("validation.csv"));
    }

    @Override
    String fingerprint() {
        if (!ctx.allDone("validation")) {
            return "pending";
        }
        return Fingerprints.hash(Fingerprints.sha256OrNone(ctx.file("params.json"))
                + Json.compact(ctx.validationObservations()) + ctx.figure5.lawForm().cliName()
                + ctx.figure5.objectiveKind().cliName());
    }

    @Override
    public void run() {
        ScalingParams params = ctx.params();
        List<Observation> means = new ArrayList<>();
        Map<String, String> configName = new LinkedHashMap<>();
        List<SeedStats> stats = new ArrayList<>();
        for (var byMixture : ctx.validationObservations().entrySet()) {
            Mixture mixture = ctx.mixture(byMixture.getKey(), params);
            String plusName = Mixture.of(mixture.pools()).name();
            configName.put(plusName, byMixture.getKey());
            for (var byBudget : byMixture.getValue().entrySet()) {
                List<Observation> seeds = byBudget.getValue();
                SeedStats st = SeedStats.of(seeds.stream().map(Observation::error).toList());
                double size = seeds.stream().mapToDouble(Observation::poolSize).average().orElseThrow();
                means.add(new Observation(plusName, size, byBudget.getKey(), st.mean()));
                stats.add(st);
            }
        }
        Validation.Result result = Validation.run(ctx.predictor(), means, ctx.dir);
        result.warnings().forEach(w -> ctx.out.println("  warning: " + w));
        List<Map<String, Object>> points = new ArrayList<>();
        StringBuilder csv = new StringBuilder("mixture,buckets,pool_size,samples_seen,seeds,actual_mean,actual_se,"
                + "predicted,abs_error\n");
        for (int i = 0; i < result.points().size(); i++) {
            Validation.Point pt = result.points().get(i);
            SeedStats st = stats.get(i);
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("mixture", configName.get(pt.pool()));
            x.put("buckets", pt.pool());
            x.put("pool_size", pt.poolSize());
            x.put("samples_seen", pt.samplesSeen());
            x.put("seeds", st.n());
            x.put("actual_mean", pt.actual());
            x.put("actual_se", Double.isNaN(st.se()) ? null : st.se());
            x.put("predicted", pt.predicted());
            x.put("abs_error", pt.absError());
            points.add(x);
            csv.append(String.join(",", configName.get(pt.pool()), pt.pool(), num(pt.poolSize()),
                    num(pt.samplesSeen()), Integer.toString(st.n()), Double.toString(pt.actual()),
                    Double.isNaN(st.se()) ? "" : Double.toString(st.se()), Double.toString(pt.predicted()),
                    Double.toString(pt.absError()))).append('\n');
        }
        List<Map<String, Object>> budgets = new ArrayList<>();
        for (Validation.BudgetCheck b : result.budgets()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("samples_seen", b.samplesSeen());
            x.put("mixtures", b.mixtures().stream().map(configName::get).toList());
            x.put("actual_best", configName.get(b.actualBest()));
            x.put("predicted_best", configName.get(b.predictedBest()));
            x.put("agree", b.agree());
            budgets.add(x);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", ctx.figure5.metricOrDefault());
        m.put("points", points);
        m.put("mae", result.mae());
        m.put("max_error", result.maxError());
        m.put("budgets", budgets);
        m.put("compared", result.compared());
        m.put("agreed", result.agreed());
        m.put("warnings", result.warnings());
        Json.write(ctx.file("validation.json"), m);
        AtomicFiles.writeString(ctx.file("validation.csv"), csv.toString());
        ctx.out.printf(Locale.ROOT, "  %d points: MAE %.4f, max error %.4f; best mixture agrees at %d of %d budgets%n",
                result.points().size(), result.mae(), result.maxError(), result.agreed(), result.compared());
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
