package org.qqt.figure5;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.report.Figure5;
import org.qqt.report.Figure5Chart;
import org.qqt.scaling.Mixture;
import org.qqt.scaling.Observation;
import org.qqt.scaling.ValidationFile;

/** figure: the predicted curves with the validation points, as qqt predict --plot; figure5.png and .svg. */
final class FigureStep extends Figure5Step.Fingerprinted {
    FigureStep(Figure5Context ctx, StepLedger ledger) {
        super("figure", ctx, ledger, "figure5.png", "figure5.svg");
    }

    /** The figure depends on the three result files only. */
    static String fingerprint(Figure5Context ctx) {
        return Fingerprints.hash(Fingerprints.sha256OrNone(ctx.file("params.json"))
                + Fingerprints.sha256OrNone(ctx.file("predictions.json"))
                + Fingerprints.sha256OrNone(ctx.file("validation.json")));
    }

    @Override
    String fingerprint() {
        return fingerprint(ctx);
    }

    @Override
    void run() {
        List<Mixture> mixtures = new ArrayList<>(ctx.drawnMixtures(ctx.params()));
        ValidationFile validation = ValidationFile.read(ctx.file("validation.json"));
        Map<String, List<Observation>> actual = new LinkedHashMap<>();
        for (ValidationFile.Point pt : validation.points()) {
            actual.computeIfAbsent(pt.mixture(), k -> new ArrayList<>()).add(new Observation(pt.mixture(),
                    pt.poolSize(), pt.samplesSeen(), pt.actual()));
        }
        double[] range = ctx.range();
        String title = String.format(Locale.ROOT, "%s: predicted (lines) vs actual (dots) — MAE %.4f, max %.4f",
                ctx.sweep.name(), validation.mae(), validation.maxError());
        String yTitle = ctx.figure5.metricOrDefault() + " error (1 − accuracy)";
        Figure5 fig = Figure5.of(title, yTitle, ctx.predictor(), mixtures, range[0], range[1], actual, true);
        Figure5Chart.write(fig, ctx.file("figure5.png"));
        Figure5Chart.write(fig, ctx.file("figure5.svg"));
    }
}
