package org.qqt.figure5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.figure5.ReportDoc.Block;
import org.qqt.figure5.ReportDoc.Code;
import org.qqt.figure5.ReportDoc.Image;
import org.qqt.figure5.ReportDoc.Para;
import org.qqt.figure5.ReportDoc.Section;
import org.qqt.figure5.ReportDoc.Table;
import org.qqt.io.AtomicFiles;
import org.qqt.io.SampleCount;
import org.qqt.scaling.CrossValidation;
import org.qqt.scaling.FitReport;
import org.qqt.scaling.PoolParams;
import org.qqt.scaling.RunsTree;
import org.qqt.scaling.ScalingParams;
import org.qqt.scaling.ValidationFile;
import org.qqt.sweep.RunSpec;
import org.qqt.sweep.SweepConfig;
import org.qqt.sweep.SweepPlan;

/**
 * {@code report.md} and {@code report.html} of {@code qqt figure5}, from the files the pipeline wrote
 * (params.json, validation.json, verdicts.json, the figures). Every section is filled, or says "n/a" and why.
 * The HTML is self-contained: inline CSS, the charts embedded as base64 PNGs. The evidence sections are built by
 * {@link Figure5Evidence}.
 */
final class Figure5Report {
    /** The section titles, in order (tests check each is present and filled). */
    static final List<String> SECTIONS = List.of("Summary", "Verdicts", "Settings", "Fitted parameters",
            "Bucket-run residuals", "Cross-validation", "Figure 5", "Training curves", "Predicted vs actual",
            "Best mixture per budget", "Crossovers", "Reproduce");

    private final Figure5Config config;
    private final SweepConfig sweep;
    private final Path configFile;
    private final String configText;
    private final Path dir;
    private final SweepPlan plan;
    private final Map<String, Double> stepSeconds;
    private final List<String> commands;
    private final List<String> fitted;
    private final double[] range;

    /** {@code fitted}: the buckets the law was fitted to; {@code range}: the budgets the curves span. */
    Figure5Report(Figure5Config config, Path configFile, String configText, Path dir, SweepPlan plan,
                  Map<String, Double> stepSeconds, List<String> commands, List<String> fitted, double[] range) {
        this.fitted = fitted;
        this.range = range;
        this.config = config;
        this.sweep = config.sweep();
        this.configFile = configFile;
        this.configText = configText;
        this.dir = dir;
        this.plan = plan;
        this.stepSeconds = stepSeconds;
        this.commands = commands;
    }

    void write() {
        List<Section> doc = build();
        AtomicFiles.writeString(dir.resolve("report.md"), markdown(doc));
        AtomicFiles.writeString(dir.resolve("report.html"), html(doc));
    }

    /** Four decimals; huge or tiny magnitudes (a τ that ran off to infinity) in scientific notation. */
    static String f4(double v) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        double m = Math.abs(v);
        return m != 0 && (m >= 1e6 || m < 1e-4) ? String.format(Locale.ROOT, "%.3e", v)
                : String.format(Locale.ROOT, "%.4f", v);
    }

    static String g4(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "n/a";
    }

    private List<Section> build() {
        ScalingParams params = ScalingParams.load(dir.resolve("params.json"));
        ValidationFile val = ValidationFile.read(dir.resolve("validation.json"));
        Verdicts verdicts = Verdicts.read(dir.resolve("verdicts.json"));
        FitReport rep = params.fit();
        CrossValidation cv = rep.crossValidation();
        Figure5Config.Section section = config.figure5();
        List<Section> doc = new ArrayList<>();
        double total = stepSeconds.values().stream().mapToDouble(Double::doubleValue).sum();

        // summary
        List<Block> sum = new ArrayList<>();
        sum.add(new Para(String.format(Locale.ROOT, "Sweep **%s**: %d bucket runs and %d validation runs (%s seed%s), "
                        + "metric **%s**, law %s, objective %s. Predicted-vs-actual MAE **%s**, max error **%s** over "
                        + "%d points; the best mixture agrees at %d of %d budgets. Cross-validation on the bucket "
                        + "runs: leave-one-out MAE %s, extrapolation MAE %s. Total wall time of the steps: **%.1f s**.",
                sweep.name(), count("bucket"), count("validation"), sweep.seedsOrDefault().size(),
                sweep.seedsOrDefault().size() == 1 ? "" : "s", section.metricOrDefault(), section.lawForm().cliName(),
                section.objectiveKind().cliName(), f4(val.mae()), f4(val.maxError()), val.points().size(),
                val.agreed(), val.compared(), boldMae(cv == null ? null : cv.leaveOneOut()),
                boldMae(cv == null ? null : cv.extrapolate()), total)));
        sum.add(new Para("Verdicts: (a) MAE " + verdicts.mae().status() + ", (b) best mixture at decisive budgets "
                + verdicts.bestMixture().status() + ", (c) crossover within ×" + verdicts.crossover().factor() + " "
                + verdicts.crossover().status() + " (details under Verdicts)."));
        sum.add(new Para("Outputs in `" + dir + "`: params.json, predictions.json, validation.json, validation.csv, "
                + "verdicts.json, figure5.png/.svg, residuals.png/.svg, training-curves.png/.svg, report.md, "
                + "report.html."));
        doc.add(new Section(SECTIONS.get(0), sum));
        doc.add(Figure5Evidence.verdicts(SECTIONS.get(1), verdicts));
        doc.add(Figure5Evidence.settings(SECTIONS.get(2), section, params, rep, fitted, range));

        // fitted parameters
        List<Block> fit = new ArrayList<>();
        Map<String, FitReport.Interval> iv = new LinkedHashMap<>();
        if (rep.intervals() != null) {
            rep.intervals().forEach(i -> iv.put(i.parameter(), i));
        }
        String why = iv.isEmpty() ? (section.bootstrapOrDefault() == 0 ? "n/a (figure5.bootstrap is 0)"
                : "n/a (no bootstrap draw converged)") : null;
        List<List<String>> rows = new ArrayList<>();
        for (PoolParams p : params.pools()) {
            rows.add(List.of(p.name(), SampleCount.format(p.size()), f4(p.b()), interval(iv.get("b[" + p.name() + "]"),
                    why), f4(p.tau()), interval(iv.get("tau[" + p.name() + "]"), why)));
        }
        fit.add(new Table(List.of("bucket", "size", "b", "b 95%", "τ", "τ 95%"), rows));
        boolean aFixed = section.a() != null;
        fit.add(new Para(String.format(Locale.ROOT, "a = %s%s; d = %s (fixed); fit RMSE %s over %d points (%d free "
                        + "parameters; every seed of every bucket run is a point). 95%% intervals: %s.",
                g4(params.a()), aFixed ? " (fixed by figure5.a)" : " " + interval(iv.get("a"), why), g4(params.d()),
                g4(rep.rmse()), rep.points(), rep.freeParameters(),
                iv.isEmpty() ? why : "residual bootstrap, " + rep.bootstrapDraws() + " draws")));
        if (rep.warnings() != null && !rep.warnings().isEmpty()) {
            fit.add(new Para("Fit warnings: " + String.join("; ", rep.warnings())));
        }
        doc.add(new Section(SECTIONS.get(3), fit));
        doc.add(Figure5Evidence.residuals(SECTIONS.get(4), rep, plan.runs().stream()
                .filter(r -> r.kind().equals("bucket")).toList()));
        doc.add(crossValidation(cv));

        // figure
        List<Block> fig = new ArrayList<>();
        fig.add(new Image("Figure 5: predicted error per mixture (lines) and actual runs (dots)", "figure5.png"));
        fig.add(new Para("Lines: predicted error of each mixture (Theorem 1 from the fitted bucket parameters); "
                + "dots: actual runs (mean over seeds); shading: where each mixture is predicted best. Vector version: "
                + "figure5.svg."));
        doc.add(new Section(SECTIONS.get(6), fig));
        doc.add(Figure5Evidence.trainingCurves(SECTIONS.get(7)));

        // predicted vs actual
        List<Block> pva = new ArrayList<>();
        List<List<String>> prow = new ArrayList<>();
        for (ValidationFile.Point p : val.points()) {
            prow.add(List.of(p.mixture(), SampleCount.format(p.samplesSeen()), String.valueOf(p.seeds()),
                    f4(p.actual()) + (p.actualSe() != null ? " ± " + f4(p.actualSe()) : " ± n/a"), f4(p.predicted()),
                    f4(p.absError())));
        }
        pva.add(new Table(List.of("mixture", "samples seen", "seeds", "actual (mean ± SE)", "predicted", "|diff|"),
                prow));
        pva.add(new Para(String.format(Locale.ROOT, "MAE **%s**, max error **%s** (%s error, %s).%s",
                f4(val.mae()), f4(val.maxError()), section.metricOrDefault(),
                RunsTree.errorMeaning(section.metricOrDefault()),
                sweep.seedsOrDefault().size() < 2 ? " SE n/a: one seed per point (add seeds for standard errors)." : "")));
        doc.add(new Section(SECTIONS.get(8), pva));

        // best mixture
        List<Block> best = new ArrayList<>();
        List<List<String>> brow = new ArrayList<>();
        for (ValidationFile.Budget b : val.budgets()) {
            boolean two = b.mixtures().size() >= 2;
            brow.add(List.of(SampleCount.format(b.samplesSeen()), Integer.toString(b.mixtures().size()),
                    b.predictedBest(), b.actualBest(), two ? (b.agree() ? "yes" : "NO") : "n/a (one mixture)"));
        }
        best.add(new Table(List.of("budget", "mixtures", "predicted best", "actual best", "agree"), brow));
        best.add(new Para(String.format(Locale.ROOT, "Agreement: %d of %d budgets with at least two mixtures.",
                val.agreed(), val.compared())));
        doc.add(new Section(SECTIONS.get(9), best));

        doc.add(Figure5Evidence.crossovers(SECTIONS.get(10), verdicts));

        // reproduce
        List<Block> repro = new ArrayList<>();
        int shown = Math.min(commands.size(), 10);
        repro.add(new Para("qqt figure5 invocations (UTC start, command line)" + (commands.size() > shown
                ? ", the last " + shown + " of " + commands.size() : "") + ":"));
        repro.add(new Code(String.join("\n", commands.subList(commands.size() - shown, commands.size()))));
        RunSpec b0 = plan.runs().stream().filter(r -> r.kind().equals("bucket")).findFirst().orElse(null);
        RunSpec v0 = plan.runs().stream().filter(r -> r.kind().equals("validation")).findFirst().orElse(null);
        StringBuilder rc = new StringBuilder();
        for (RunSpec run : new RunSpec[] {b0, v0}) {
            if (run != null) {
                rc.append("# ").append(run.kind()).append(" run ").append(run.id()).append('\n');
                for (List<String> cmd : run.commands(0)) {
                    rc.append(String.join(" ", cmd)).append('\n');
                }
            }
        }
        repro.add(new Para("The stages of one bucket run and one validation run (every run: `qqt sweep plan "
                + configFile + " --format json`; {threads} = 0 means all cores):"));
        repro.add(new Code(rc.toString().strip()));
        repro.add(new Para("Versions and machine:"));
        repro.add(new Table(List.of("item", "value"), List.of(
                List.of("qqt", version()),
                List.of("Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"),
                List.of("DJL", djlVersion()),
                List.of("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch")),
                List.of("CPU cores", Integer.toString(Runtime.getRuntime().availableProcessors())),
                List.of("host", host()))));
        List<List<String>> srow = new ArrayList<>();
        for (var e : stepSeconds.entrySet()) {
            srow.add(List.of(e.getKey(), String.format(Locale.ROOT, "%.1f", e.getValue())));
        }
        srow.add(List.of("total", String.format(Locale.ROOT, "%.1f", total)));
        repro.add(new Para("Wall time per step (seconds, as measured when the step ran):"));
        repro.add(new Table(List.of("step", "seconds"), srow));
        repro.add(new Para("Config `" + configFile + "`:"));
        repro.add(new Code(configText.strip()));
        doc.add(new Section(SECTIONS.get(11), repro));
        return doc;
    }

    private long count(String kind) {
        return plan.runs().stream().filter(r -> r.kind().equals(kind)).count();
    }

    private static String interval(FitReport.Interval i, String why) {
        if (i == null) {
            return why == null ? "n/a (fixed)" : why;
        }
        return "[" + g4(i.low()) + ", " + g4(i.high()) + "]";
    }

    /**
     * The cross-validation of the fit (params.json's fit.crossValidation): MAE and max per scheme, then every
     * held-out bucket point with its refit's prediction.
     */
    private static Section crossValidation(CrossValidation cv) {
        List<Block> blocks = new ArrayList<>();
        if (cv == null) {
            blocks.add(new Para("n/a (params.json has no cross-validation: it was written before the fit step "
                    + "recorded one; delete params.json and rerun to refit)"));
            return new Section(SECTIONS.get(5), blocks);
        }
        blocks.add(new Para("How well the law predicts bucket runs it did not see. Leave-one-out: every bucket point "
                + "predicted by a refit (same grid and options, no bootstrap) on all other points. Extrapolate: the "
                + "largest budget of each bucket predicted by one refit on the smaller budgets."));
        List<List<String>> summary = new ArrayList<>();
        List<List<String>> points = new ArrayList<>();
        addScheme("leave-one-out", cv.leaveOneOut(), summary, points);
        addScheme("extrapolate", cv.extrapolate(), summary, points);
        blocks.add(new Table(List.of("scheme", "held-out points", "MAE", "max |diff|"), summary));
        if (cv.notes() != null) {
            blocks.add(new Para(String.join("; ", cv.notes()) + "."));
        }
        if (!points.isEmpty()) {
            blocks.add(new Para("Every held-out bucket point with the prediction of the refit that did not see it:"));
            blocks.add(new Table(List.of("scheme", "bucket", "samples seen", "observed", "predicted", "|diff|"),
                    points));
        }
        return new Section(SECTIONS.get(5), blocks);
    }

    private static String boldMae(CrossValidation.Scheme s) {
        return s == null ? "n/a" : "**" + f4(s.mae()) + "**";
    }

    private static void addScheme(String name, CrossValidation.Scheme s, List<List<String>> summary,
                                  List<List<String>> points) {
        if (s == null) {
            summary.add(List.of(name, "n/a (not run, see below)", "n/a", "n/a"));
            return;
        }
        summary.add(List.of(name, Integer.toString(s.points().size()), f4(s.mae()), f4(s.maxError())));
        for (CrossValidation.Point p : s.points()) {
            points.add(List.of(name, p.pool(), SampleCount.format(p.samplesSeen()), f4(p.observed()),
                    f4(p.predicted()), f4(p.absError())));
        }
    }

    /** The cross-validation section of a report on {@code params} alone, as markdown (tests read it). */
    static String crossValidationMarkdown(ScalingParams params) {
        return markdown(List.of(crossValidation(params.fit() == null ? null : params.fit().crossValidation())),
                "cross-validation");
    }

    static String version() {
        String v = Figure5Report.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    static String djlVersion() {
        try {
            return ai.djl.engine.Engine.getDjlVersion() + " (PyTorch engine)";
        } catch (RuntimeException | LinkageError e) {
            return "0.33 (PyTorch engine)";
        }
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------- markdown

    static String markdown(List<Section> doc, String title) {
        StringBuilder sb = new StringBuilder("# " + title + "\n");
        for (Section s : doc) {
            sb.append("\n## ").append(s.title()).append("\n\n");
            for (Block b : s.blocks()) {
                if (b instanceof Para p) {
                    sb.append(p.text()).append("\n\n");
                } else if (b instanceof Code k) {
                    sb.append("```\n").append(k.text()).append("\n```\n\n");
                } else if (b instanceof Image i) {
                    sb.append("![").append(i.alt()).append("](").append(i.file()).append(")\n\n");
                } else if (b instanceof Table t) {
                    sb.append("| ").append(String.join(" | ", t.head().stream().map(x -> x.replace("|", "\\|"))
                            .toList())).append(" |\n|");
                    sb.append("---|".repeat(t.head().size())).append('\n');
                    if (t.rows().isEmpty()) {
                        sb.append("| n/a (no rows)").append(" |".repeat(t.head().size())).append('\n');
                    }
                    for (List<String> r : t.rows()) {
                        sb.append("| ").append(String.join(" | ", r.stream().map(x -> x.replace("|", "\\|"))
                                .toList())).append(" |\n");
                    }
                    sb.append('\n');
                }
            }
        }
        return sb.toString();
    }

    private String markdown(List<Section> doc) {
        return markdown(doc, "Figure 5 report: " + sweep.name());
    }

    // ---------------------------------------------------------------- html

    private static final String CSS = """
            body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1100px;margin:24px auto;
            padding:0 20px;color:#1d232a;line-height:1.45;background:#fff}
            h1{font-size:1.7em;border-bottom:2px solid #d0d7de;padding-bottom:6px}
            h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #e4e8ec;padding-bottom:4px}
            table{border-collapse:collapse;margin:10px 0;font-size:.92em}
            th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:left;vertical-align:top}
            th{background:#f3f5f7}
            tr:nth-child(even) td{background:#fafbfc}
            td.num{text-align:right;font-variant-numeric:tabular-nums}
            pre{background:#f6f8fa;border:1px solid #e4e8ec;padding:10px;overflow-x:auto;font-size:.85em;
            white-space:pre-wrap;word-break:break-all}
            code{background:#f3f5f7;padding:1px 4px;border-radius:3px;font-size:.9em}
            img{max-width:100%;height:auto;border:1px solid #e4e8ec}
            """;

    private String html(List<Section> doc) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>Figure 5 report: ").append(esc(sweep.name())).append("</title>\n<style>")
                .append(CSS).append("</style>\n</head>\n<body>\n<h1>Figure 5 report: ").append(esc(sweep.name()))
                .append("</h1>\n");
        for (Section s : doc) {
            sb.append("<h2 id=\"").append(s.title().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-"))
                    .append("\">").append(esc(s.title())).append("</h2>\n");
            for (Block b : s.blocks()) {
                if (b instanceof Para p) {
                    sb.append("<p>").append(inline(p.text())).append("</p>\n");
                } else if (b instanceof Code k) {
                    sb.append("<pre>").append(esc(k.text())).append("</pre>\n");
                } else if (b instanceof Image i) {
                    sb.append("<p><img alt=\"").append(esc(i.alt())).append("\" src=\"")
                            .append(dataUri(dir.resolve(i.file()))).append("\"></p>\n");
                } else if (b instanceof Table t) {
                    sb.append("<table>\n<tr>");
                    t.head().forEach(h -> sb.append("<th>").append(esc(h)).append("</th>"));
                    sb.append("</tr>\n");
                    for (List<String> r : t.rows()) {
                        sb.append("<tr>");
                        for (String x : r) {
                            boolean num = x.matches("[-+0-9.eEkMBG ±\\[\\],]*") && x.matches(".*\\d.*");
                            sb.append(num ? "<td class=\"num\">" : "<td>").append(esc(x)).append("</td>");
                        }
                        sb.append("</tr>\n");
                    }
                    sb.append("</table>\n");
                }
            }
        }
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    private static String dataUri(Path png) {
        try {
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** **bold** and `code` of the markdown paragraphs, as HTML. */
    static String inline(String s) {
        String e = esc(s);
        e = e.replaceAll("\\*\\*([^*]+)\\*\\*", "<b>$1</b>");
        return e.replaceAll("`([^`]+)`", "<code>$1</code>");
    }
}
