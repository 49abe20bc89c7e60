package org.qqt.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qqt.io.BadInputException;
import org.qqt.io.Checks;
import org.qqt.report.Figure6;
import org.qqt.report.Figure6Chart;
import org.qqt.scaling.FitOptions;
import org.qqt.scaling.FitResult;
import org.qqt.scaling.Fitter;
import org.qqt.scaling.Observation;
import org.qqt.scaling.Observations;
import org.qqt.scaling.Predictor;
import org.qqt.scaling.PublishedRuns;
import org.qqt.scaling.ScalingParams;
import org.qqt.scaling.Tie;
import org.qqt.scaling.Validation;
import org.qqt.scaling.ValidationFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt figure6}: refit published runs (the paper's Figure 6), predict a held-out budget, draw it. */
@Command(name = "figure6", mixinStandardHelpOptions = true,
        description = {"Refit published runs as the paper's Figure 6 does: fit the law on every budget but the "
                + "held-out one (b and tau shared by the pools by default), predict the held-out runs, and draw "
                + "error vs samples seen per pool (PNG + SVG) with the MAE in the title.",
                "Writes train.csv, holdout.csv, params.json, validation.json, figure6.png and figure6.svg into "
                        + "--out; the same fit + validate pair runs with `qqt fit` and `qqt validate` on those CSVs.",
                "The CSV needs pool,pool_size,samples_seen and accuracy (or error); model and "
                        + "samples_seen_pretty are optional, other columns are ignored (docs/scaling-fit.md)."},
        footer = {"", "Examples:",
                "  qqt figure6 --csv datasets/published/cherti2023-laion-imagenet-b32-b16.csv --model ViT-B-32 "
                        + "--holdout 34B",
                "  qqt figure6 --csv runs.csv --holdout 34B --tie b --d 0.1 --out /tmp/fig6"})
final class Figure6Command implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    LawOptions lawOptions;

    @Option(names = "--csv", required = true, paramLabel = "FILE", description = "Published runs (see above).")
    Path csv;

    @Option(names = "--model", paramLabel = "NAME",
            description = "The model column's value to refit (required when the file holds several models).")
    String model;

    @Option(names = "--holdout", required = true, paramLabel = "BUDGET",
            description = "Budget to predict: a samples_seen_pretty label (34B) or a count (3.4e10, within 10%%).")
    String holdout;

    @Option(names = "--tie", defaultValue = "b,tau", paramLabel = "b,tau",
            description = "Pool parameters shared by the pools (default ${DEFAULT-VALUE}; none = per pool).")
    String tie;

    @Option(names = "--d", defaultValue = FitCommand.TIED_D, paramLabel = "D|LIST|MIN:MAX:STEPS",
            description = "Irreducible error: fixed, or searched over a list or grid (default ${DEFAULT-VALUE}).")
    String d;

    @Option(names = "--bootstrap", defaultValue = "200", paramLabel = "N",
            description = "Residual-bootstrap refits for 95%% intervals (default ${DEFAULT-VALUE}; 0: none).")
    int bootstrap;

    @Option(names = "--seed", defaultValue = "0", description = "Bootstrap seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--out", defaultValue = "figure6", paramLabel = "DIR",
            description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public void run() {
        Checks.outputDir("--out", out); // before the fit, not after it
        List<PublishedRuns.Run> runs = PublishedRuns.load(csv, model);
        List<Observation> train = new ArrayList<>();
        List<Observation> held = new ArrayList<>();
        List<String> trainBudgets = new ArrayList<>();
        for (PublishedRuns.Run r : runs) {
            if (PublishedRuns.atBudget(r, holdout)) {
                held.add(r.observation());
            } else {
                train.add(r.observation());
                if (!trainBudgets.contains(r.budget())) {
                    trainBudgets.add(r.budget());
                }
            }
        }
        if (held.isEmpty() || train.isEmpty()) {
            throw new BadInputException("--holdout " + holdout + ": " + (held.isEmpty() ? "no" : "every") + " run of "
                    + csv + " is at that budget; its budgets are " + PublishedRuns.budgets(runs));
        }
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        FitOptions opt = FitOptions.defaults(lawOptions.form(), lawOptions.objective(), 0.1)
                .withD(FitOptions.parseD(d)).withTie(Tie.parse(tie)).withBootstrap(bootstrap, seed).withThreads(n);
        FitResult fit;
        try {
            fit = Fitter.fit(train, opt, "csv");
        } catch (BadInputException e) {
            throw BadInputException.inFile(csv, e.getMessage());
        }
        fit = FitCommand.withCrossValidation(fit, train, opt);
        ScalingParams p = fit.params();
        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw new BadInputException("--out " + out + ": cannot create the directory (" + e.getMessage() + ")");
        }
        Path trainCsv = out.resolve("train.csv");
        Path heldCsv = out.resolve("holdout.csv");
        Path params = out.resolve("params.json");
        Observations.writeCsv(trainCsv, train);
        Observations.writeCsv(heldCsv, held);
        p.write(params);
        Validation.Result v = Validation.run(new Predictor(p, lawOptions.form(), lawOptions.objective()), held,
                heldCsv);
        ValidationFile.of(v).write(out.resolve("validation.json"));
        String title = String.format(Locale.ROOT, "%sfitted on %s, predicting %s: MAE %.4f (max %.4f)",
                model == null ? "" : model + " — ", String.join(" + ", trainBudgets), holdout, v.mae(), v.maxError());
        Figure6 fig = Figure6.of(title, PredictCommand.yAxisTitle(p), p, lawOptions.form(), lawOptions.objective(),
                train, held);
        for (String ext : List.of("png", "svg")) {
            Figure6Chart.write(fig, out.resolve("figure6." + ext));
        }
        PrintWriter o = spec.commandLine().getOut();
        FitCommand.printTable(o, fit, params);
        o.println();
        o.println("held-out runs (" + holdout + "):");
        ValidateCommand.printTable(o, v);
        o.println("wrote " + trainCsv + ", " + heldCsv + ", " + out.resolve("validation.json") + ", "
                + out.resolve("figure6.png") + ", " + out.resolve("figure6.svg"));
        o.flush();
        PrintWriter err = spec.commandLine().getErr();
        if (p.fit().warnings() != null) {
            p.fit().warnings().forEach(w -> err.println("qqt figure6: warning: " + w));
        }
        err.flush();
    }
}
