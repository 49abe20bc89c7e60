package org.qqt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.report.Figure5;
import org.qqt.report.Figure5Chart;
import org.qqt.scaling.Mixture;
import org.qqt.scaling.MixtureOrder;
import org.qqt.scaling.ParetoFrontier;
import org.qqt.scaling.Prediction;
import org.qqt.scaling.PredictionsFile;
import org.qqt.scaling.Predictor;
import org.qqt.scaling.RunsTree;
import org.qqt.scaling.ScalingParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt predict}: predicted error of bucket mixtures per compute budget, the best one, the frontier. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict the error of \"top k\" pool mixtures (or given ones) at compute budgets from fitted "
                + "scaling params, and pick the best mixture per budget.",
        footer = {"", "Examples:",
                "  qqt predict --params configs/paper-tmars-imagenet.json --budgets 32M,640M",
                "  qqt predict --params params.json --budgets 32M,640M --frontier --plot fig5",
                "  qqt predict --params params.json --budgets 128M --mixture top0-10+top10-20",
                "", "--plot fig5 writes fig5.png and fig5.svg; --format json prints one JSON object."})
final class PredictCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    LawOptions lawOptions;

    @Option(names = "--params", required = true, paramLabel = "FILE",
            description = "Scaling params (params.json from qqt fit, or configs/paper-*.json).")
    Path params;

    @Option(names = "--budgets", required = true, paramLabel = "S[,S...]",
            description = "Compute budgets in samples seen, comma-separated (32M,64M,128M,640M).")
    String budgets;

    @Option(names = "--order", defaultValue = "rank", paramLabel = "ORDER",
            description = "Pool order for the \"top k\" mixtures: rank (file order, default) or b (ascending b, "
                    + "as the reference code).")
    String order;

    @Option(names = "--mixture", arity = "1..*", paramLabel = "POOL[+POOL...]",
            description = "Predict these mixtures instead of the top-k prefixes (repeatable), e.g. top0-10+top10-20.")
    List<String> mixtures;

    @Option(names = "--format", defaultValue = "table", description = "json, csv or table (default).")
    OutputFormat format;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Write the Figure-5 chart: x.png, x.svg, or x without extension for both (repeatable).")
    List<Path> plots;

    @Option(names = "--frontier",
            description = "Also compute the Pareto frontier: best mixture over a log-spaced budget grid from the "
                    + "smallest to the largest budget, and the crossover budgets.")
    boolean frontier;

    @Option(names = "--grid-points", defaultValue = "25", paramLabel = "N",
            description = "Budgets in the frontier grid (default: ${DEFAULT-VALUE}).")
    int gridPoints;

    @Override
    public void run() {
        List<Double> s = parseBudgets(budgets);
        if (gridPoints < 2) {
            throw new BadInputException("--grid-points must be at least 2, got " + gridPoints);
        }
        List<Path> plotFiles = expandPlots(plots);
        ScalingParams p = ScalingParams.load(params);
        Predictor predictor = new Predictor(p, lawOptions.form(), lawOptions.objective());
        List<Mixture> ms = mixtures(p, mixtures, MixtureOrder.parse(order));
        Prediction prediction = predictor.predict(ms, s);
        double lo = s.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double hi = s.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        ParetoFrontier.Frontier f = frontier ? ParetoFrontier.compute(predictor, ms, lo, hi, gridPoints) : null;
        PrintWriter out = spec.commandLine().getOut();
        switch (format) {
            case json -> out.println(Json.compact(PredictionsFile.of(metricOf(p), lawOptions.form(),
                    lawOptions.objective(), prediction, ms, new double[] {lo, hi}, f)));
            case csv -> printCsv(out, prediction, f);
            case table -> printTable(out, prediction, f);
        }
        out.flush();
        if (!plotFiles.isEmpty()) {
            String title = "Predicted error per mixture — " + params.getFileName() + " (" + lawOptions.form().cliName()
                    + ", " + lawOptions.objective().cliName() + ")";
            Figure5 fig = Figure5.of(title, yAxisTitle(p), predictor, ms, lo, hi, Map.of(), true);
            for (Path file : plotFiles) {
                Figure5Chart.write(fig, file);
            }
        }
    }

    static List<Double> parseBudgets(String text) {
        List<Double> s = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                s.add((double) SampleCount.parseBudget("--budgets", part));
            }
        }
        if (s.isEmpty()) {
            throw new BadInputException("--budgets: no sample counts in '" + text + "'; write e.g. 32M,64M,128M");
        }
        return s;
    }

    static List<Path> expandPlots(List<Path> plots) {
        List<Path> out = new ArrayList<>();
        if (plots != null) {
            for (Path p : plots) {
                out.addAll(Figure5Chart.expand(p));
            }
        }
        return out;
    }

    static String yAxisTitle(ScalingParams p) {
        String metric = metricOf(p);
        String meaning = RunsTree.errorMeaning(metric);
        return metric != null ? metric + " error (" + meaning + ")" : "error (" + meaning + ")";
    }

    /** The metric the params were fitted to, or null (a params file fitted to a CSV, or a paper config). */
    static String metricOf(ScalingParams p) {
        return p.fit() != null && p.fit().metric() != null && !p.fit().metric().equals("csv") ? p.fit().metric() : null;
    }

    static List<Mixture> mixtures(ScalingParams p, List<String> specs, MixtureOrder order) {
        if (specs == null || specs.isEmpty()) {
            return Mixture.prefixes(p, order);
        }
        List<Mixture> out = new ArrayList<>();
        for (String spec : specs) {
            for (String one : spec.split(",")) {
                if (one.isBlank()) {
                    continue;
                }
                Mixture m = Mixture.parse(one, p);
                if (out.stream().noneMatch(x -> x.name().equals(m.name()))) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    static void printCsv(PrintWriter out, Prediction pr, ParetoFrontier.Frontier f) {
        boolean bands = pr.mixtures().stream().anyMatch(Prediction.Curve::hasBands);
        out.println("mixture,budget,error" + (bands ? ",low,high" : "") + ",best");
        for (Prediction.Curve c : pr.mixtures()) {
            for (int j = 0; j < pr.budgets().size(); j++) {
                out.print(c.name() + "," + LawCommand.asNumber(pr.budgets().get(j)) + "," + c.error()[j]);
                if (bands) {
                    out.print("," + c.low()[j] + "," + c.high()[j]);
                }
                out.println("," + c.name().equals(pr.best().get(j)));
            }
        }
        if (f != null) {
            out.println();
            out.println("budget,best,error");
            for (int j = 0; j < f.grid().size(); j++) {
                out.println(LawCommand.asNumber(Math.rint(f.grid().get(j))) + "," + f.best().get(j) + ","
                        + f.error().get(j));
            }
            out.println();
            out.println("crossover,from,to");
            for (ParetoFrontier.Crossover c : f.crossovers()) {
                out.println(LawCommand.asNumber(Math.rint(c.budget())) + "," + c.from() + "," + c.to());
            }
        }
    }

    static void printTable(PrintWriter out, Prediction pr, ParetoFrontier.Frontier f) {
        int nameW = "mixture".length();
        for (Prediction.Curve c : pr.mixtures()) {
            nameW = Math.max(nameW, c.name().length());
        }
        boolean bands = pr.mixtures().stream().anyMatch(Prediction.Curve::hasBands);
        int cellW = bands ? 24 : 8;
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + nameW + "s", "mixture"));
        for (double b : pr.budgets()) {
            head.append("  ").append(String.format(Locale.ROOT, "%" + cellW + "s", SampleCount.format(b)));
        }
        out.println(head);
        for (Prediction.Curve c : pr.mixtures()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + nameW + "s", c.name()));
            for (int j = 0; j < pr.budgets().size(); j++) {
                String cell = String.format(Locale.ROOT, "%.4f", c.error()[j]);
                if (c.hasBands()) {
                    cell += String.format(Locale.ROOT, " [%.4f,%.4f]", c.low()[j], c.high()[j]);
                }
                if (c.name().equals(pr.best().get(j))) {
                    cell = "*" + cell;
                }
                row.append("  ").append(String.format(Locale.ROOT, "%" + cellW + "s", cell));
            }
            out.println(row);
        }
        out.println(bands ? "* best mixture at that budget; [low,high]: 2.5-97.5% over the bootstrap draws"
                : "* best mixture at that budget");
        out.println();
        out.println("best mixture per budget:");
        for (int j = 0; j < pr.budgets().size(); j++) {
            out.printf(Locale.ROOT, "  %8s  %s%n", SampleCount.format(pr.budgets().get(j)), pr.best().get(j));
        }
        if (f != null) {
            out.println();
            out.printf(Locale.ROOT, "Pareto frontier (%d log-spaced budgets, %s to %s):%n", f.grid().size(),
                    SampleCount.format(f.grid().get(0)), SampleCount.format(f.grid().get(f.grid().size() - 1)));
            double from = f.grid().get(0);
            String current = f.best().get(0);
            for (ParetoFrontier.Crossover c : f.crossovers()) {
                out.printf(Locale.ROOT, "  %8s – %-8s  %s%n", SampleCount.format(round3(from)),
                        SampleCount.format(round3(c.budget())), current);
                from = c.budget();
                current = c.to();
            }
            out.printf(Locale.ROOT, "  %8s – %-8s  %s%n", SampleCount.format(round3(from)),
                    SampleCount.format(round3(f.grid().get(f.grid().size() - 1))), current);
            if (f.crossovers().isEmpty()) {
                out.println("  no crossover: one mixture is best over the whole range");
            }
            for (ParetoFrontier.Crossover c : f.crossovers()) {
                out.printf(Locale.ROOT, "  crossover at %s samples: %s -> %s%n", SampleCount.format(round3(c.budget())),
                        c.from(), c.to());
            }
        }
    }

    /** Three significant digits, for display. */
    static double round3(double v) {
        if (v <= 0) {
            return v;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(v)) - 2);
        return Math.rint(v / mag) * mag;
    }
}
