package org.qqt.figure5;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.report.Figure5;
import org.qqt.io.SampleCount;
import org.qqt.report.Figure5Chart;
import org.qqt.report.ResidualChart;
import org.qqt.report.TrainingCurvesChart;
import org.qqt.scaling.FitReport;
import org.qqt.scaling.Mixture;
import org.qqt.scaling.Observation;
import org.qqt.scaling.Predictor;
import org.qqt.scaling.RunsTree;
import org.qqt.scaling.ValidationFile;
import org.qqt.sweep.RunSpec;
import org.qqt.train.MetricsLog;

/**
 * figure: the predicted curves with the validation points, as qqt predict --plot (figure5.png and .svg); the fit's
 * residuals on the bucket runs (residuals.png/.svg); every run's training curve as small multiples
 * (training-curves.png/.svg).
 */
final class FigureStep extends Figure5Step.Fingerprinted {
    FigureStep(Figure5Context ctx, StepLedger ledger) {
        super("figure", ctx, ledger, "figure5.png", "figure5.svg", "residuals.png", "residuals.svg",
                "training-curves.png", "training-curves.svg");
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
        Predictor predictor = ctx.predictor();
        List<Mixture> mixtures = new ArrayList<>(ctx.drawnMixtures(predictor.params()));
        ValidationFile validation = ValidationFile.read(ctx.file("validation.json"));
        Map<String, List<Observation>> actual = new LinkedHashMap<>();
        for (ValidationFile.Point pt : validation.points()) {
            actual.computeIfAbsent(pt.mixture(), k -> new ArrayList<>()).add(new Observation(pt.mixture(),
                    pt.poolSize(), pt.samplesSeen(), pt.actual()));
        }
        double[] range = ctx.range();
        String title = String.format(Locale.ROOT, "%s: predicted (lines) vs actual (dots) — MAE %.4f, max %.4f",
                ctx.sweep.name(), validation.mae(), validation.maxError());
        String metric = ctx.figure5.metricOrDefault();
        String yTitle = metric + " error (" + RunsTree.errorMeaning(metric) + ")";
        Figure5 fig = Figure5.of(title, yTitle, predictor, mixtures, range[0], range[1], actual, true);
        Figure5Chart.write(fig, ctx.file("figure5.png"));
        Figure5Chart.write(fig, ctx.file("figure5.svg"));
        List<ResidualChart.Point> residuals = new ArrayList<>();
        for (FitReport.Residual r : predictor.params().fit().residuals()) {
            residuals.add(new ResidualChart.Point(r.pool(), r.samplesSeen(), r.residual()));
        }
        String rTitle = ctx.sweep.name() + ": fit residuals on the bucket runs (" + metric + ")";
        for (String f : List.of("residuals.png", "residuals.svg")) {
            ResidualChart.write(rTitle, residuals, ctx.file(f));
        }
        List<TrainingCurvesChart.Panel> panels = trainingCurves();
        String tTitle = ctx.sweep.name() + ": training loss vs samples seen, every run (one panel per pool)";
        for (String f : List.of("training-curves.png", "training-curves.svg")) {
            TrainingCurvesChart.write(tTitle, panels, ctx.file(f));
        }
    }

    /** One panel per bucket and per validation mixture, one line per run (its metrics.jsonl), coloured by budget. */
    private List<TrainingCurvesChart.Panel> trainingCurves() {
        Map<String, List<TrainingCurvesChart.Series>> panels = new LinkedHashMap<>();
        for (String kind : List.of("bucket", "validation")) {
            for (RunSpec run : ctx.runsOf(kind)) {
                List<MetricsLog.Line> lines = MetricsLog.read(ctx.plan.runDir(run.id()).resolve(MetricsLog.FILE));
                double[] x = lines.stream().mapToDouble(MetricsLog.Line::samplesSeen).toArray();
                double[] y = lines.stream().mapToDouble(MetricsLog.Line::loss).toArray();
                String label = SampleCount.format(run.samplesSeen()) + " samples";
                panels.computeIfAbsent((kind.equals("bucket") ? "bucket " : "mixture ") + run.poolName(),
                        k -> new ArrayList<>()).add(new TrainingCurvesChart.Series(label, x, y));
            }
        }
        List<TrainingCurvesChart.Panel> out = new ArrayList<>();
        panels.forEach((title, series) -> out.add(new TrainingCurvesChart.Panel(title, series)));
        return out;
    }
}
