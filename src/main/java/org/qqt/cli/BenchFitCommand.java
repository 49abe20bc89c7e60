package org.qqt.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.scaling.FitBench;
import org.qqt.scaling.FitOptions;
import org.qqt.scaling.GridAxis;
import org.qqt.scaling.Law;
import org.qqt.scaling.PoolParams;
import org.qqt.scaling.Tie;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt bench fit}: time the fitter on generated data against a naive Law.error grid loop. */
@Command(name = "fit", mixinStandardHelpOptions = true,
        description = {"Time `qqt fit` on 4 pools x 5 points generated from known parameters (epochs 2-10 of a "
                + "12.8M bucket, the paper's T-MARS values, a=0.022, d=0.1) plus Gaussian noise.",
                "With --tie b,tau: 3 pools (2M, 10M, 50M) sharing b=-0.2, tau=30, 25 to 500 epochs per point "
                        + "(tau grid 1:60:100), and the cross-validation refits timed once.",
                "Baseline, same run: a naive loop calling Law.error for every grid row, timed on a subsample "
                        + "and extrapolated."})
final class BenchFitCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    LawOptions lawOptions;

    @Option(names = "--sigma", defaultValue = "0.002", description = "Noise sd (default ${DEFAULT-VALUE}).")
    double sigma;

    @Option(names = "--seed", defaultValue = "1", description = "Noise seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--a-max", defaultValue = "" + FitOptions.DEFAULT_A_MAX,
            description = "Top of the a grid (default ${DEFAULT-VALUE}).")
    double aMax;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed fits first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--repetitions", defaultValue = "7",
            description = "Timed fits; the median is reported (default ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = "--naive-stride", defaultValue = "100",
            description = "The naive baseline evaluates every k-th grid row (default ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--tie", paramLabel = "b,tau", description = "The tied case (see above): b,tau, b or tau.")
    String tie;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--format", defaultValue = "table", description = "table (default), json or csv.")
    OutputFormat format;

    @Override
    public void run() {
        if (repetitions < 1 || warmup < 0 || stride < 1 || !(sigma >= 0)) {
            throw new BadInputException("--repetitions and --naive-stride must be >= 1, --warmup and --sigma >= 0");
        }
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        FitOptions opt = FitOptions.defaults(lawOptions.form(), lawOptions.objective(), FitBench.TRUE_D)
                .withA(new GridAxis(1e-4, aMax, 100)).withThreads(n);
        if (tie != null) {
            opt = opt.withTie(Tie.parse(tie)).withTau(new GridAxis(1, 60, 100));
        }
        FitBench.Result r = FitBench.run(opt, sigma, seed, warmup, repetitions, stride);
        PrintWriter o = spec.commandLine().getOut();
        switch (format) {
            case json -> o.println(Json.compact(summary(r, opt)));
            case csv -> {
                o.println("metric,value");
                summary(r, opt).forEach((k, v) -> {
                    if (!(v instanceof Map)) {
                        o.println(k + "," + v);
                    }
                });
            }
            case table -> table(o, r, opt);
        }
        o.flush();
    }

    private Map<String, Object> summary(FitBench.Result r, FitOptions opt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threads", r.threads());
        m.put("repetitions", r.repetitions());
        m.put("fit_seconds", r.fitSeconds());
        m.put("grid_seconds", r.gridSeconds());
        m.put("grid_seconds_1_thread", r.singleThreadGridSeconds());
        m.put("grid_rows", r.gridRows());
        m.put("rows_per_second", r.rowsPerSecond());
        m.put("naive_rows", r.naiveSampledRows());
        m.put("naive_seconds", r.naiveSeconds());
        m.put("naive_extrapolated_seconds", r.naiveExtrapolatedSeconds());
        m.put("speedup", r.speedup());
        m.put("speedup_1_thread", r.naiveExtrapolatedSeconds() / r.singleThreadGridSeconds());
        m.put("points", r.points());
        m.put("tie", opt.tie().toString());
        m.put("cross_validation_seconds", r.crossValidationSeconds());
        m.put("grid_sse", r.gridSse());
        m.put("sse", r.sse());
        Map<String, Object> fitted = new LinkedHashMap<>();
        fitted.put("a", r.fitted().a());
        for (PoolParams p : r.fitted().pools()) {
            fitted.put("b[" + p.name() + "]", p.b());
            fitted.put("tau[" + p.name() + "]", p.tau());
        }
        m.put("fitted", fitted);
        return m;
    }

    private void table(PrintWriter o, FitBench.Result r, FitOptions opt) {
        int pools = r.truth().pools().size();
        o.printf(Locale.ROOT, "bench fit: %d pools x %d points (%s), sigma %g, seed %d, law %s, objective %s, tie %s, "
                        + "%d thread(s)%n", pools, r.points() / pools, opt.tie().any()
                        ? "epochs 25,100,250,500 of 2M, 10M, 50M" : "epochs 2,4,6,8,10 of 12.8M", sigma, seed,
                opt.form().cliName(), opt.objective().cliName(), opt.tie(), r.threads());
        o.printf(Locale.ROOT, "grid: %,d rows (%d a x %d pools x %d b x %d tau, d fixed %.2f), median of %d after %d "
                        + "warm-up%n", r.gridRows(), opt.a().steps(), pools, opt.b().steps(), opt.tau().steps(),
                FitBench.TRUE_D, r.repetitions(), warmup);
        o.printf(Locale.ROOT, "  grid + LM (full fit)   %10.2f ms%n", r.fitSeconds() * 1e3);
        o.printf(Locale.ROOT, "  grid                   %10.2f ms   %.3g rows/s%n", r.gridSeconds() * 1e3,
                r.rowsPerSecond());
        o.printf(Locale.ROOT, "  grid, 1 thread         %10.2f ms%n", r.singleThreadGridSeconds() * 1e3);
        o.printf(Locale.ROOT, "  naive Law.error loop   %10.2f ms for %,d rows (every %d-th) -> %.2f s for all "
                        + "rows (extrapolated)%n", r.naiveSeconds() * 1e3, r.naiveSampledRows(), stride,
                r.naiveExtrapolatedSeconds());
        o.printf(Locale.ROOT, "  speed-up vs naive      %10.0fx (1 thread: %.0fx)%n", r.speedup(),
                r.naiveExtrapolatedSeconds() / r.singleThreadGridSeconds());
        o.printf(Locale.ROOT, "  cross-validation       %10.2f ms   (leave-one-out + extrapolate: %d refits, once)%n",
                r.crossValidationSeconds() * 1e3, r.points() + 1);
        o.printf(Locale.ROOT, "SSE: grid %.4g, after LM %.4g (noise floor %d*sigma^2 = %.3g)%n", r.gridSse(), r.sse(),
                r.points(), r.points() * sigma * sigma);
        o.printf(Locale.ROOT, "%-10s %10s %10s %10s %10s%n", "pool", "b", "b true", "tau", "tau true");
        for (int i = 0; i < r.truth().pools().size(); i++) {
            PoolParams t = r.truth().pools().get(i);
            PoolParams f = r.fitted().pools().get(i);
            o.printf(Locale.ROOT, "%-10s %10.4f %10.4f %10.3f %10.3f%n", t.name(), f.b(), t.b(), f.tau(), t.tau());
        }
        o.printf(Locale.ROOT, "a = %.5f (true %.3f); d fixed at %.2f; N0 = %.0f%n", r.fitted().a(), r.truth().a(),
                r.fitted().d(), Law.DEFAULT_NORMALIZER);
    }
}
