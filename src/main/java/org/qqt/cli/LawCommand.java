package org.qqt.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.BadInputException;
import org.qqt.io.Checks;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.scaling.Law;
import org.qqt.scaling.UtilitySchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt law}: evaluate the single-pool law at given sample counts. */
@Command(name = "law", mixinStandardHelpOptions = true,
        description = "Evaluate the scaling law of one pool: error after S samples seen.",
        footer = {"", "Example:",
                "  qqt law --law reference --a 0.022 --b -0.131 --tau 3 --d 0.1 --samples-per-epoch 12.8M "
                        + "--samples 1.6M,32M --format json"})
final class LawCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    LawOptions lawOptions;

    @Option(names = "--a", required = true, description = "Shared sample scale a (> 0).")
    double a;

    @Option(names = "--b", required = true, description = "Utility b (< 0; more negative = more useful).")
    double b;

    @Option(names = "--tau", required = true, description = "Half-life of utility in epochs (> 0).")
    double tau;

    @Option(names = "--d", required = true, description = "Irreducible error d.")
    double d;

    @Option(names = "--normalizer", defaultValue = "100000", description = "N0 (default: ${DEFAULT-VALUE}).")
    String normalizer;

    @Option(names = "--samples-per-epoch", required = true, paramLabel = "E",
            description = "Pool size E: samples in one epoch (e.g. 12.8M).")
    String samplesPerEpoch;

    @Option(names = "--samples", required = true, paramLabel = "S[,S...]",
            description = "Samples seen, comma-separated (32M, 1.28e7, 640000000).")
    String samples;

    @Option(names = "--format", defaultValue = "table", description = "json, csv or table (default).")
    OutputFormat format;

    @Override
    public void run() {
        double n0 = SampleCount.parse(normalizer);
        double e = SampleCount.parse(samplesPerEpoch);
        if (!(a > 0) || !Double.isFinite(a)) {
            throw new BadInputException("--a must be > 0, got " + a);
        }
        if (!(b < 0) || !Double.isFinite(b)) {
            throw new BadInputException("--b must be < 0 (a pool's utility; more negative = more useful), got " + b);
        }
        Checks.inRange("--d", d, 0, 1);
        if (!(tau > 0) || !Double.isFinite(tau)) {
            throw new BadInputException("--tau must be > 0 (half-life in epochs), got " + tau);
        }
        if (!(e > 0) || !(n0 > 0)) {
            throw new BadInputException("--samples-per-epoch and --normalizer must be > 0");
        }
        List<Double> s = SampleCount.parseList(samples);
        Law law = new Law(lawOptions.form(), a, d, n0).forObjective(lawOptions.objective());
        UtilitySchedule schedule = UtilitySchedule.pool(b, tau, lawOptions.objective());
        double[] err = s.stream().mapToDouble(x -> law.error(x, e, schedule)).toArray();
        print(spec.commandLine().getOut(), s, err, format);
    }

    static void print(PrintWriter out, List<Double> samples, double[] err, OutputFormat format) {
        switch (format) {
            case json -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("samples", samples.stream().map(LawCommand::asNumber).toList());
                m.put("error", err);
                out.println(Json.compact(m));
            }
            case csv -> {
                out.println("samples,error");
                for (int i = 0; i < err.length; i++) {
                    out.println(asNumber(samples.get(i)) + "," + err[i]);
                }
            }
            case table -> {
                out.printf(Locale.ROOT, "%14s  %12s%n", "samples", "error");
                for (int i = 0; i < err.length; i++) {
                    out.printf(Locale.ROOT, "%14s  %12.6f%n", SampleCount.format(samples.get(i)), err[i]);
                }
            }
        }
        out.flush();
    }

    /** Whole counts print as integers (640000000, not 6.4E8). */
    static Object asNumber(double v) {
        return (Math.rint(v) == v && Math.abs(v) < 9e15) ? (Object) (long) v : (Object) v;
    }
}
