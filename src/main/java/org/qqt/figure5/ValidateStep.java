package org.qqt.figure5;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.Json;
import org.qqt.scaling.Crossovers;
import org.qqt.scaling.Mixture;
import org.qqt.scaling.Observation;
import org.qqt.scaling.Predictor;
import org.qqt.scaling.ScalingParams;
import org.qqt.scaling.Validation;
import org.qqt.scaling.ValidationFile;
import org.qqt.sweep.Crossover;
import org.qqt.sweep.SeedStats;

/**
 * validate: the validation runs' mean error per (mixture, budget) against the prediction, as qqt validate; writes
 * validation.json and validation.csv ({@link ValidationFile}, points named by the config's mixture names), and the
 * three "must show" verdicts with the predicted and measured crossovers, verdicts.json ({@link Verdicts}).
 */
final class ValidateStep extends Figure5Step.Fingerprinted {
    ValidateStep(Figure5Context ctx, StepLedger ledger) {
        super("validate", ctx, ledger, "validation.json", "validation.csv", "verdicts.json");
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
    void run() {
        Predictor predictor = ctx.predictor();
        ScalingParams params = predictor.params();
        List<Observation> means = new ArrayList<>();
        Map<String, String> configName = new LinkedHashMap<>();
        List<ValidationFile.Seeds> spreads = new ArrayList<>();
        for (var byMixture : ctx.validationObservations().entrySet()) {
            Mixture mixture = ctx.mixture(byMixture.getKey(), params);
            String plusName = Mixture.of(mixture.pools()).name();
            configName.put(plusName, byMixture.getKey());
            for (var byBudget : byMixture.getValue().entrySet()) {
                List<Observation> seeds = byBudget.getValue();
                SeedStats st = SeedStats.of(seeds.stream().map(Observation::error).toList());
                double size = seeds.stream().mapToDouble(Observation::poolSize).average().orElseThrow();
                means.add(new Observation(plusName, size, byBudget.getKey(), st.mean()));
                spreads.add(new ValidationFile.Seeds(st.n(), Double.isNaN(st.se()) ? null : st.se()));
            }
        }
        Validation.Result result = Validation.run(predictor, means, ctx.dir);
        result.warnings().forEach(w -> ctx.out.println("  warning: " + w));
        ValidationFile file = ValidationFile.of(result, ctx.figure5.metricOrDefault(), configName, spreads);
        file.write(ctx.file("validation.json"));
        file.writeCsv(ctx.file("validation.csv"));
        ctx.out.printf(Locale.ROOT, "  %d points: MAE %.4f, max error %.4f; best mixture agrees at %d of %d budgets%n",
                result.points().size(), result.mae(), result.maxError(), result.agreed(), result.compared());
        Verdicts verdicts = verdicts(file, predictor);
        verdicts.write(ctx.file("verdicts.json"));
        verdicts.lines().forEach(l -> ctx.out.println("  " + l));
    }

    /**
     * The verdicts: the measured table of the validation runs (mean and SE over seeds, winner and margin per budget,
     * as qqt study crossover) and the crossovers of the validation mixtures, predicted over the curves' range.
     */
    private Verdicts verdicts(ValidationFile file, Predictor predictor) {
        String metric = ctx.figure5.metricOrDefault();
        List<String> names = ctx.sweep.validation().mixtures();
        Crossover.Table table = Crossover.table(Crossover.points(ctx.plan, metric, new ArrayList<>()), names,
                ctx.validationBudgets(), metric);
        List<Mixture> mixtures = names.stream().map(n -> ctx.mixture(n, predictor.params())).toList();
        double[] range = ctx.range();
        return Verdicts.of(file, table, Crossovers.predicted(predictor, mixtures, range[0], range[1]),
                Verdicts.measured(table));
    }
}
