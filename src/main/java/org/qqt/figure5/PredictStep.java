package org.qqt.figure5;

import java.util.List;
import java.util.Locale;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.scaling.Mixture;
import org.qqt.scaling.ParetoFrontier;
import org.qqt.scaling.Prediction;
import org.qqt.scaling.PredictionsFile;
import org.qqt.scaling.Predictor;

/** predict: each drawn mixture's error at the validation budgets and the frontier, as qqt predict. */
final class PredictStep extends Figure5Step.Fingerprinted {
    /** Budgets in the frontier's log grid. */
    private static final int FRONTIER_POINTS = 50;

    PredictStep(Figure5Context ctx, StepLedger ledger) {
        super("predict", ctx, ledger, "predictions.json");
    }

    @Override
    String fingerprint() {
        return Fingerprints.hash(Fingerprints.sha256OrNone(ctx.file("params.json")) + Json.compact(ctx.figure5)
                + ctx.config.drawnMixtures() + ctx.sweep.mixtures() + ctx.sweep.validation());
    }

    @Override
    void run() {
        Predictor predictor = ctx.predictor();
        List<Mixture> mixtures = ctx.drawnMixtures(predictor.params());
        List<Double> budgets = ctx.validationBudgets();
        Prediction prediction = predictor.predict(mixtures, budgets);
        double[] range = ctx.range();
        ParetoFrontier.Frontier frontier = mixtures.size() > 1
                ? ParetoFrontier.compute(predictor, mixtures, range[0], range[1], FRONTIER_POINTS) : null;
        PredictionsFile.of(ctx.figure5.metricOrDefault(), ctx.figure5.lawForm(), ctx.figure5.objectiveKind(),
                prediction, mixtures, range, frontier).write(ctx.file("predictions.json"));
        for (int j = 0; j < budgets.size(); j++) {
            ctx.out.printf(Locale.ROOT, "  best at %s: %s%n", SampleCount.format(budgets.get(j)),
                    prediction.best().get(j));
        }
    }
}
