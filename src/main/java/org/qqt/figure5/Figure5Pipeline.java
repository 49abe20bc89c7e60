package org.qqt.figure5;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.BadInputException;
import org.qqt.sweep.SweepExecution;
import org.qqt.sweep.SweepPlan;

/**
 * {@code qqt figure5}: the whole chain of one config, in order — synth → teacher → score → filter → bucket runs →
 * fit → predict → validation runs → validate → figure → report. Each step is a class of this package that reuses
 * the stage code of the matching qqt command; this class only orders them. A step whose inputs did not change and
 * whose outputs exist is skipped ("skip", see {@link StepLedger}), so a killed figure5 continues where it stopped.
 * Sweep runs go through the sweep executors (local or Slurm); everything else runs in this process.
 *
 * <p>Outputs in {@code <runs>/<name>/}: params.json, predictions.json, validation.json/.csv, verdicts.json,
 * figure5.png/.svg, residuals.png/.svg, training-curves.png/.svg, report.md, report.html, and figure5-state.json
 * (the ledger: each step's input fingerprint and wall time).
 */
public final class Figure5Pipeline {
    /** The steps, in order. */
    public static final List<String> STEPS = List.of("synth", "teacher", "score", "filter", "bucket-runs", "fit",
            "predict", "validation-runs", "validate", "figure", "report");

    /** How to run: the config file, the directory its relative paths resolve against, where sweep runs go. */
    public record Options(Path config, Path base, SweepExecution.Target target, String commandLine) {
        Integer threads() {
            return target.threads();
        }
    }

    /** What one invocation did: per step "done" or "skip", and its wall time. */
    public record Result(Path sweepDir, Map<String, String> steps, double seconds, Path report) {}

    private final PrintStream out;
    private final Figure5Context ctx;
    private final StepLedger ledger;
    private final List<Figure5Step> steps;
    private final long t0 = System.nanoTime();

    public Figure5Pipeline(Options options, PrintStream out) {
        this.out = out;
        Figure5Config config = Figure5Config.load(options.config());
        if (config.figure5() == null) {
            throw BadInputException.inFile(options.config(), "no \"figure5\" section: add one (e.g. figure5: {metric: "
                    + "imagenet1k}), see docs/sweeps.md \"qqt figure5\"");
        }
        if (config.sweep().poolSize() == null || config.sweep().validation() == null) {
            throw BadInputException.inFile(options.config(), "qqt figure5 needs pool_size and validation");
        }
        SweepPlan plan = SweepPlan.of(config.sweep(), options.base(), options.target().launcher());
        this.ctx = new Figure5Context(options, out, config, plan);
        this.ledger = new StepLedger(plan.sweepDir());
        this.steps = steps(ctx, ledger);
    }

    /** The steps of {@link #STEPS}, in that order. */
    static List<Figure5Step> steps(Figure5Context ctx, StepLedger ledger) {
        return List.of(new SynthStep(ctx), new TeacherStep(ctx), new ScoreStep(ctx), new FilterStep(ctx, ledger),
                new SweepRunsStep(ctx, "bucket"), new FitStep(ctx, ledger), new PredictStep(ctx, ledger),
                new SweepRunsStep(ctx, "validation"), new ValidateStep(ctx, ledger), new FigureStep(ctx, ledger),
                new ReportStep(ctx, ledger, STEPS));
    }

    /** Runs every step (skipping finished ones); returns what each did. */
    public Result run() {
        try {
            Files.createDirectories(ctx.dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ledger.recordInvocation(ctx.options.commandLine());
        Map<String, String> outcome = new LinkedHashMap<>();
        for (Figure5Step step : steps) {
            outcome.put(step.name(), runStep(step));
        }
        double secs = elapsed();
        Path report = ctx.file("report.html");
        out.printf(Locale.ROOT, "qqt figure5: total wall time %.1f s (this invocation); report %s%n", secs, report);
        out.flush();
        return new Result(ctx.dir, outcome, secs, report);
    }

    /** Runs one step unless it may be skipped; returns "done" or "skip". */
    private String runStep(Figure5Step step) {
        String why = step.skipReason();
        if (why != null) {
            log("%-16s skip (%s)", step.name(), why);
            return "skip";
        }
        log("%-16s start", step.name());
        long start = System.nanoTime();
        step.run();
        double secs = (System.nanoTime() - start) / 1e9;
        ledger.finished(step.name(), secs);
        log("%-16s done in %.1f s", step.name(), secs);
        return "done";
    }

    private void log(String format, Object... args) {
        List<Object> all = new ArrayList<>(List.of(elapsed()));
        all.addAll(List.of(args));
        out.printf(Locale.ROOT, "[%7.1fs] " + format + "%n", all.toArray());
        out.flush();
    }

    private double elapsed() {
        return (System.nanoTime() - t0) / 1e9;
    }
}
