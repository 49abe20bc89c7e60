package org.qqt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.SampleCount;
import org.qqt.report.Figure5;
import org.qqt.report.Figure5Chart;
import org.qqt.scaling.Mixture;
import org.qqt.scaling.Observation;
import org.qqt.scaling.Observations;
import org.qqt.scaling.Predictor;
import org.qqt.scaling.ScalingParams;
import org.qqt.scaling.Validation;
import org.qqt.scaling.ValidationFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt validate}: predicted vs actual error of trained mixtures, and whether the best mixture agrees. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Compare predictions from scaling params with actual runs: per-point error, MAE, max error, "
                + "and per budget whether the measured best mixture is the predicted best.",
        footer = {"", "The actual file's pool column names a mixture (top0-10+top10-20) or one",
                "pool (top0-10); its pool_size should be the mixture's N̂ (sum of pool sizes).", "", "Examples:",
                "  qqt validate --params params.json --actual runs.csv",
                "  qqt validate --params params.json --actual runs/ --metric avg18 --plot fig5"})
final class ValidateCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    LawOptions lawOptions;

    @Option(names = "--params", required = true, paramLabel = "FILE", description = "Scaling params (params.json).")
    Path params;

    @Option(names = "--actual", required = true, paramLabel = "CSV|DIR",
            description = "Actual points: a CSV pool,pool_size,samples_seen,error or a runs tree.")
    Path actual;

    @Option(names = "--metric", defaultValue = "imagenet1k", paramLabel = "METRIC",
            description = "For a runs tree: imagenet1k (default), avg18, or a task key.")
    String metric;

    @Option(names = "--format", defaultValue = "table", description = "json, csv or table (default).")
    OutputFormat format;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Write the Figure-5 chart with the actual points: x.png, x.svg, or x for both (repeatable).")
    List<Path> plots;

    @Override
    public void run() {
        List<Path> plotFiles = PredictCommand.expandPlots(plots);
        ScalingParams p = ScalingParams.load(params);
        List<Observation> obs = Observations.load(actual, metric);
        Predictor predictor = new Predictor(p, lawOptions.form(), lawOptions.objective());
        Validation.Result r = Validation.run(predictor, obs, actual);
        PrintWriter err = spec.commandLine().getErr();
        for (String w : r.warnings()) {
            err.println("qqt validate: warning: " + w);
        }
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        switch (format) {
            case json -> out.println(ValidationFile.of(r).compact());
            case csv -> ValidationFile.of(r).printCsv(out);
            case table -> printTable(out, r);
        }
        out.flush();
        if (!plotFiles.isEmpty()) {
            List<Mixture> ms = new ArrayList<>(r.mixtures());
            ms.sort(Comparator.comparingDouble(Mixture::size)); // stable: same size keeps first appearance
            Map<String, List<Observation>> byMixture = new LinkedHashMap<>();
            for (Observation o : obs) {
                byMixture.computeIfAbsent(Mixture.parse(o.pool(), p).name(), k -> new ArrayList<>()).add(o);
            }
            double lo = obs.stream().mapToDouble(Observation::samplesSeen).min().orElseThrow();
            double hi = obs.stream().mapToDouble(Observation::samplesSeen).max().orElseThrow();
            String title = String.format(Locale.ROOT, "Predicted (lines) vs actual (dots) — MAE %.4f, max %.4f",
                    r.mae(), r.maxError());
            Figure5 fig = Figure5.of(title, PredictCommand.yAxisTitle(p), predictor, ms, lo, hi, byMixture, true);
            for (Path file : plotFiles) {
                Figure5Chart.write(fig, file);
            }
        }
    }

    static void printTable(PrintWriter out, Validation.Result r) {
        int w = "pool".length();
        for (Validation.Point pt : r.points()) {
            w = Math.max(w, pt.pool().length());
        }
        String fmt = "%-" + w + "s  %9s  %12s  %8s  %9s  %8s%n";
        out.printf(Locale.ROOT, fmt, "pool", "pool_size", "samples_seen", "actual", "predicted", "|diff|");
        for (Validation.Point pt : r.points()) {
            out.printf(Locale.ROOT, fmt, pt.pool(), SampleCount.format(pt.poolSize()),
                    SampleCount.format(pt.samplesSeen()), String.format(Locale.ROOT, "%.4f", pt.actual()),
                    String.format(Locale.ROOT, "%.4f", pt.predicted()), String.format(Locale.ROOT, "%.4f", pt.absError()));
        }
        out.printf(Locale.ROOT, "%nMAE %.4f   max error %.4f   (%d points)%n", r.mae(), r.maxError(), r.points().size());
        int bw = "actual best".length();
        for (Validation.BudgetCheck b : r.budgets()) {
            bw = Math.max(bw, Math.max(b.actualBest().length(), b.predictedBest().length()));
        }
        out.println();
        out.println("best mixture per budget (among the mixtures measured there):");
        String bfmt = "  %12s  %8s  %-" + bw + "s  %-" + bw + "s  %s%n";
        out.printf(Locale.ROOT, bfmt, "samples_seen", "mixtures", "actual best", "predicted best", "agree");
        for (Validation.BudgetCheck b : r.budgets()) {
            out.printf(Locale.ROOT, bfmt, SampleCount.format(b.samplesSeen()), b.mixtures().size(), b.actualBest(),
                    b.predictedBest(), b.mixtures().size() < 2 ? "-" : (b.agree() ? "yes" : "NO"));
        }
        out.printf(Locale.ROOT, "agreement: %d of %d budgets with at least two mixtures%n", r.agreed(), r.compared());
    }
}
