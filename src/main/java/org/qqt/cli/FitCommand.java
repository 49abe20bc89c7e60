package org.qqt.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.qqt.io.BadInputException;
import org.qqt.io.Checks;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.scaling.CrossValidation;
import org.qqt.scaling.FitOptions;
import org.qqt.scaling.FitReport;
import org.qqt.scaling.FitResult;
import org.qqt.scaling.Fitter;
import org.qqt.scaling.GridAxis;
import org.qqt.scaling.Observation;
import org.qqt.scaling.Observations;
import org.qqt.scaling.PoolParams;
import org.qqt.scaling.RunsTree;
import org.qqt.scaling.ScalingParams;
import org.qqt.scaling.Tie;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code qqt fit}: fit a and d (shared) and b, τ (per pool) to measured errors; write params.json. */
@Command(name = "fit", mixinStandardHelpOptions = true,
        description = {"Fit the scaling law to measured errors: a and d shared by all pools, b and tau per pool.",
                "Exhaustive grid (a x b x tau per pool, d fixed or from a list), then Levenberg-Marquardt; "
                        + "optional residual bootstrap for 95%% intervals.",
                "List the pools best first (--pools, or in that order in the input): `qqt predict` takes "
                        + "top-k mixtures as prefixes of this order."},
        footer = {"", "Examples:",
                "  qqt fit observations.csv --d 0.1 --out params.json",
                "  qqt fit runs/ --metric avg18 --pools top0-10,top10-20,top20-30,top30-40 --bootstrap 200",
                "  qqt fit runs/ --a 0.022 --law reference --format json"})
final class FitCommand implements Runnable {
    /** d searched by a tied fit without --d: a few shared parameters, and no prior d for other people's data. */
    static final String TIED_D = "0:0.5:51";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    LawOptions lawOptions;

    @Parameters(index = "0", paramLabel = "INPUT",
            description = "CSV with header pool,pool_size,samples_seen,error, or a runs directory (every directory "
                    + "below it with run.json and eval_results.jsonl).")
    Path input;

    @Option(names = "--metric", defaultValue = "imagenet1k", paramLabel = "METRIC",
            description = "Runs directory only: imagenet1k (default), avg18 (mean over the 18 tasks), mean (mean over "
                    + "every task of each run's eval results) or any task key of eval_results.jsonl (error = 1 - main_metric); "
                    + "soft_mean (mean soft_error of the zero-shot tasks: smooth and bounded) or soft:TASK.")
    String metric;

    @Option(names = "--pools", split = ",", paramLabel = "NAME",
            description = "Pools to fit, in output order (best first). Default: all, in order of first appearance.")
    List<String> pools;

    @Option(names = "--normalizer", defaultValue = "100000", paramLabel = "N0",
            description = "N0 in n = a*samples/N0 (default: ${DEFAULT-VALUE}).")
    String normalizer;

    @Option(names = "--d", defaultValue = "0.1", paramLabel = "D[,D...]",
            description = "Irreducible error: one value fixes d (default ${DEFAULT-VALUE}; with --tie: searched over "
                    + TIED_D + "); a list (or MIN:MAX:STEPS) searches it.")
    String d;

    @Option(names = "--a", paramLabel = "A", description = "Fix a at this value (as the reference's finding_a does).")
    Double aFixed;

    @Option(names = "--a-max", paramLabel = "A",
            description = "Top of the a grid linspace(1e-4, A, 100) (default " + FitOptions.DEFAULT_A_MAX + ").")
    Double aMax;

    @Option(names = "--a-range", paramLabel = "MIN:MAX:STEPS", description = "The a grid, e.g. 0.01:0.04:61.")
    String aRange;

    @Option(names = "--b-range", defaultValue = "-0.5:-0.005:100", paramLabel = "MIN:MAX:STEPS",
            description = "The b grid (default ${DEFAULT-VALUE}).")
    String bRange;

    @Option(names = "--tau-range", defaultValue = "1:10:100", paramLabel = "MIN:MAX:STEPS",
            description = "The tau grid (default ${DEFAULT-VALUE}).")
    String tauRange;

    @Option(names = "--tie", paramLabel = "b,tau",
            description = "Pool parameters shared by the pools of a group: b,tau, b or tau. Groups: the CSV's optional "
                    + "group column (pools without one stand alone); without it, all pools form one group.")
    String tie;

    @Option(names = "--no-cv", description = "Skip cross-validation (leave-one-out and extrapolation refits).")
    boolean noCv;

    @Option(names = "--no-refine", description = "Report the best grid point; skip Levenberg-Marquardt.")
    boolean noRefine;

    @Option(names = "--bootstrap", defaultValue = "0", paramLabel = "N",
            description = "Residual-bootstrap refits for 95%% percentile intervals (default 0: none).")
    int bootstrap;

    @Option(names = "--seed", defaultValue = "0", description = "Bootstrap seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads (default: all cores). The result does not depend on it.")
    Integer threads;

    @Option(names = "--out", defaultValue = "params.json", paramLabel = "FILE",
            description = "Where to write the params (default ${DEFAULT-VALUE}); written atomically.")
    Path out;

    @Option(names = "--format", defaultValue = "table", description = "Summary on stdout: table (default), json, csv.")
    OutputFormat format;

    @Override
    public void run() {
        FitOptions opt = options();
        PrintWriter err = spec.commandLine().getErr();
        List<Observation> obs;
        String recorded;
        if (Files.isDirectory(input)) {
            RunsTree.Scan scan = RunsTree.scan(input, metric);
            obs = scan.observations();
            recorded = metric;
            if (!scan.unevaluated().isEmpty()) {
                err.println("qqt fit: note: skipped " + scan.unevaluated().size()
                        + " run(s) without eval_results.jsonl, e.g. " + scan.unevaluated().get(0));
            }
        } else {
            obs = Observations.readCsv(input);
            recorded = "csv";
            if (spec.commandLine().getParseResult().hasMatchedOption("--metric")) {
                err.println("qqt fit: note: --metric applies to a runs directory; the CSV's error column is fitted");
            }
        }
        FitResult result;
        try {
            result = Fitter.fit(obs, opt, recorded);
        } catch (BadInputException e) {
            throw BadInputException.inFile(input, e.getMessage());
        }
        if (!noCv) {
            result = withCrossValidation(result, obs, opt);
        }
        ScalingParams params = result.params();
        if (!opt.tie().any() && obs.stream().anyMatch(x -> x.group() != null)) {
            err.println("qqt fit: note: the input's group column applies only with --tie (b,tau, b or tau)");
        }
        params.write(out);
        PrintWriter o = spec.commandLine().getOut();
        switch (format) {
            case json -> o.println(Json.compact(params));
            case csv -> printCsv(o, params);
            case table -> printTable(o, result, out);
        }
        o.flush();
        if (params.fit().warnings() != null) {
            for (String w : params.fit().warnings()) {
                err.println("qqt fit: warning: " + w);
            }
        }
        err.flush();
    }

    FitOptions options() {
        if (aFixed != null && (aRange != null || aMax != null)) {
            throw new BadInputException("give only one of --a, --a-max, --a-range");
        }
        if (aRange != null && aMax != null) {
            throw new BadInputException("give only one of --a-max and --a-range");
        }
        GridAxis a;
        if (aFixed != null) {
            if (!(aFixed > 0)) {
                throw new BadInputException("--a must be > 0, got " + aFixed);
            }
            a = new GridAxis(aFixed, aFixed, 1);
        } else if (aRange != null) {
            a = GridAxis.parse("--a-range", aRange);
        } else {
            double max = aMax == null ? FitOptions.DEFAULT_A_MAX : aMax;
            if (!(max > 1e-4)) {
                throw new BadInputException("--a-max must be > 1e-4 (the grid starts there), got " + max);
            }
            a = new GridAxis(1e-4, max, 100);
        }
        Tie t = tie == null ? Tie.NONE : Tie.parse(tie);
        boolean dGiven = spec != null && spec.commandLine().getParseResult().hasMatchedOption("--d");
        List<Double> ds = FitOptions.parseD(t.any() && !dGiven ? TIED_D : d);
        Checks.outputFile("--out", out); // --d, --threads and --bootstrap: FitOptions checks them
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        return new FitOptions(lawOptions.form(), lawOptions.objective(), SampleCount.parse(normalizer), ds, a,
                GridAxis.parse("--b-range", bRange), GridAxis.parse("--tau-range", tauRange), !noRefine, bootstrap,
                seed, n, pools, t);
    }

    private static void printCsv(PrintWriter o, ScalingParams p) {
        o.println("parameter,estimate,low,high");
        List<FitReport.Interval> iv = p.fit().intervals();
        o.println(row("a", p.a(), iv));
        o.println(row("d", p.d(), iv));
        for (PoolParams pool : p.pools()) {
            o.println(row("b[" + pool.name() + "]", pool.b(), iv));
            o.println(row("tau[" + pool.name() + "]", pool.tau(), iv));
        }
    }

    private static String row(String name, double value, List<FitReport.Interval> iv) {
        FitReport.Interval i = find(iv, name);
        return name + "," + value + "," + (i == null ? "" : i.low()) + "," + (i == null ? "" : i.high());
    }

    private static FitReport.Interval find(List<FitReport.Interval> iv, String name) {
        if (iv == null) {
            return null;
        }
        return iv.stream().filter(x -> x.parameter().equals(name)).findFirst().orElse(null);
    }

    private static String ci(List<FitReport.Interval> iv, String name) {
        FitReport.Interval i = find(iv, name);
        return i == null ? "" : String.format(Locale.ROOT, "  [%.4g, %.4g]", i.low(), i.high());
    }

    static void printTable(PrintWriter o, FitResult r, Path out) {
        ScalingParams p = r.params();
        FitReport f = p.fit();
        List<FitReport.Interval> iv = f.intervals();
        boolean aFree = f.ranges().aSteps() > 1;
        boolean dFree = f.ranges().d().size() > 1;
        o.printf(Locale.ROOT, "fit: %d points, %d free parameters, law %s, objective %s, metric %s%n",
                f.points(), f.freeParameters(), f.law(), f.objective(), f.metric());
        o.printf(Locale.ROOT, "a = %.5g%s%s%n", p.a(), aFree ? "" : " (fixed)", ci(iv, "a"));
        o.printf(Locale.ROOT, "d = %.5g%s%s%n", p.d(), dFree ? "" : " (fixed)", ci(iv, "d"));
        if (f.tied() != null) {
            for (FitReport.TieGroup g : f.tied().groups()) {
                o.printf(Locale.ROOT, "tied %s: group '%s' = %s%n", String.join(",", f.tied().parameters()), g.name(),
                        String.join(", ", g.pools()));
            }
        }
        if (f.nesting() != null) {
            o.println("note: " + f.nesting().note());
        }
        o.printf(Locale.ROOT, "%-20s %10s %9s %8s%s%n", "pool", "size", "b", "tau",
                iv == null ? "" : "   b 95%            tau 95%");
        for (PoolParams pool : p.pools()) {
            o.printf(Locale.ROOT, "%-20s %10s %9.4f %8.4g%s%s%n", pool.name(), SampleCount.format(pool.size()),
                    pool.b(), pool.tau(), ci(iv, "b[" + slot(f, "b", pool.name()) + "]"),
                    ci(iv, "tau[" + slot(f, "tau", pool.name()) + "]"));
        }
        o.printf(Locale.ROOT, "grid SSE %.4g -> SSE %.4g (RMSE %.4g)%s; grid %,d rows in %.3f s, LM %.3f s%s%n",
                f.gridSse(), f.sse(), f.rmse(), Boolean.TRUE.equals(f.refined()) ? " after LM" : "",
                r.gridRows(), r.gridSeconds(), r.refineSeconds(),
                f.bootstrapDraws() == null ? "" : String.format(Locale.ROOT, ", bootstrap %d draws %.2f s",
                        f.bootstrapDraws(), r.bootstrapSeconds()));
        if (f.crossValidation() != null) {
            printCrossValidation(o, f.crossValidation());
        }
        o.println("wrote " + out);
    }

    /** {@code r} with its params carrying the cross-validation of {@code obs} under {@code opt}. */
    static FitResult withCrossValidation(FitResult r, List<Observation> obs, FitOptions opt) {
        return new FitResult(r.params().withCrossValidation(CrossValidation.run(obs, opt)), r.grid(), r.gridRows(),
                r.gridSeconds(), r.refineSeconds(), r.bootstrapSeconds());
    }

    /** The interval name of a pool's b or tau: its tie group's when that parameter is tied. */
    private static String slot(FitReport f, String parameter, String pool) {
        if (f.tied() != null && f.tied().parameters().contains(parameter)) {
            for (FitReport.TieGroup g : f.tied().groups()) {
                if (g.pools().contains(pool)) {
                    return g.name();
                }
            }
        }
        return pool;
    }

    static void printCrossValidation(PrintWriter o, CrossValidation cv) {
        o.println("cross-validation (points predicted by refits that did not see them):");
        o.printf(Locale.ROOT, "  %-14s %-20s %12s %9s %9s %8s%n", "scheme", "pool", "samples_seen", "observed",
                "predicted", "|diff|");
        printScheme(o, "leave-one-out", cv.leaveOneOut());
        printScheme(o, "extrapolate", cv.extrapolate());
        if (cv.notes() != null) {
            cv.notes().forEach(n -> o.println("  " + n));
        }
    }

    private static void printScheme(PrintWriter o, String name, CrossValidation.Scheme s) {
        if (s == null) {
            return;
        }
        for (CrossValidation.Point pt : s.points()) {
            o.printf(Locale.ROOT, "  %-14s %-20s %12s %9.4f %9.4f %8.4f%n", name, pt.pool(),
                    SampleCount.format(pt.samplesSeen()), pt.observed(), pt.predicted(), pt.absError());
        }
        o.printf(Locale.ROOT, "  %-14s MAE %.4f, max %.4f (%d points)%n", name, s.mae(), s.maxError(),
                s.points().size());
    }
}
