package org.qqt.cli;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.BadInputException;
import org.qqt.io.Checks;
import org.qqt.io.Json;
import org.qqt.io.MachineStats;
import org.qqt.model.BlockRouteBench;
import org.qqt.model.MatmulPrecision;
import org.qqt.model.ModelConfig;
import org.qqt.train.TrainBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt bench train}: training throughput against the machine's matmul speed, and memory over steps. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Measure training samples/s per model, the machine's matmul GFLOP/s in the same run, the "
                + "fraction of the matmul-bound limit reached, and resident memory at chosen steps.",
        footer = {"", "Example (quick):",
                "  qqt bench train --steps 5 --rss-steps 20,100 --format table"})
final class BenchTrainCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--models", split = ",", defaultValue = "models/tiny.json,models/bench-7m.json",
            description = "Model configs to time (default: ${DEFAULT-VALUE}).")
    List<Path> models;

    @Option(names = "--batch", defaultValue = "256", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--rss-steps", defaultValue = "100,1000", paramLabel = "STEP[,STEP...]",
            description = "Steps at which the first model's VmRSS is recorded (default: ${DEFAULT-VALUE}; empty: none).")
    String rssSteps;

    @Option(names = "--micro-batch", defaultValue = "0", paramLabel = "M",
            description = "Also time each model with exact accumulation over micro-batches of M (must divide --batch) "
                    + "and report its step time over the whole batch's, same run (default: 0 = off).")
    int microBatch;

    @Option(names = "--precisions", split = ",", defaultValue = "fp32", paramLabel = "ROUTE",
            description = "Routes to time per model, in this order (default: ${DEFAULT-VALUE}): fp32 (DJL ops), "
                    + "fp32-ts (fp32 through the TorchScript ops: their call overhead and the fused attention), "
                    + "fp32-attn (fp32 DJL linear maps, fused fp32 attention), bf16, "
                    + "fp16. Each row gets its samples/s as a ratio to the model's fp32 row of the same run.")
    List<String> precisions;

    @Option(names = "--block-routes", description = "Instead: time forward + backward of one image-tower block per "
            + "model as fp32 DJL ops, per-op TorchScript (the training route) and one whole-block TorchScript module, "
            + "in bf16 and fp16 (fastest of --steps passes, routes alternating).")
    boolean blockRoutes;

    @Option(names = "--threads", defaultValue = "0", description = "libtorch intra-op threads (0: libtorch's choice).")
    int threads;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default).")
    OutputFormat format;

    @Override
    public void run() {
        Device device = TrainCommand.chooseDevice(TrainCommand.DeviceChoice.auto, threads);
        double loadBefore = MachineStats.loadAverage();
        if (blockRoutes) {
            PrintWriter out = spec.commandLine().getOut();
            for (Path file : models) {
                ModelConfig m = ModelConfig.load(file);
                for (MatmulPrecision p : new MatmulPrecision[] {MatmulPrecision.BF16, MatmulPrecision.FP16}) {
                    BlockRouteBench.Result r = BlockRouteBench.run(batch, m.visionTokens(), m.visionWidth(),
                            m.visionHeads(), m.mlpRatio(), p, steps, device);
                    out.printf(Locale.ROOT, "%s block (%d x %d x %d) %s: fp32 %.1f ms, per-op %.1f ms (%.2fx fp32), "
                            + "whole-block %.1f ms (%.2fx fp32)%n", m.name(), batch, m.visionTokens(), m.visionWidth(),
                            p, r.fp32Ms(), r.perOpMs(), r.fp32Ms() / r.perOpMs(), r.wholeBlockMs(),
                            r.fp32Ms() / r.wholeBlockMs());
                }
            }
            out.printf(Locale.ROOT, "load average %.2f -> %.2f%n", loadBefore, MachineStats.loadAverage());
            out.flush();
            return;
        }
        // the matmul ceiling: best of many 1024^3 and 2048^3 products, before and after the models (a cold
        // allocator under-reports it by up to 3x, java-stack.md section 3)
        double gflops = Math.max(TrainBench.matmulGflops(device, 1024, 20), TrainBench.matmulGflops(device, 2048, 5));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String route : precisions) {
            if (!TrainBench.ROUTES.contains(route)) {
                throw new BadInputException("--precisions " + route + " is not one of "
                        + String.join(", ", TrainBench.ROUTES));
            }
        }
        for (int i = 0; i < models.size(); i++) {
            ModelConfig m = ModelConfig.load(models.get(i));
            Map<String, Object> fp32Row = null;
            for (String route : precisions) {
                boolean first = route.equals(precisions.get(0));
                long[] rss = i == 0 && first ? steps(rssSteps) : new long[0];
                TrainBench.Result r = TrainBench.run(m, batch, warmup, steps, rss, device, route);
                Map<String, Object> row = row(r, 0);
                row.put("precision", route);
                if (route.equals("fp32")) {
                    fp32Row = row;
                }
                if (fp32Row != null) { // same-run ratios: mean step and fastest step against fp32's
                    row.put("speed_vs_fp32", round((Double) fp32Row.get("seconds_per_step") / r.secondsPerStep(), 3));
                    row.put("best_speed_vs_fp32",
                            round((Double) fp32Row.get("best_seconds_per_step") / r.bestSecondsPerStep(), 3));
                }
                rows.add(row);
                if (microBatch > 0 && first) {
                    Map<String, Object> micro = row(TrainBench.run(m, batch, microBatch, warmup, steps, new long[0],
                            device, route), microBatch);
                    micro.put("precision", route);
                    micro.put("micro_batch_overhead", round((Double) micro.get("seconds_per_step")
                            / (Double) row.get("seconds_per_step"), 3));
                    micro.put("best_micro_batch_overhead", round((Double) micro.get("best_seconds_per_step")
                            / (Double) row.get("best_seconds_per_step"), 3));
                    rows.add(micro);
                }
            }
        }
        gflops = Math.max(gflops, TrainBench.matmulGflops(device, 1024, 20));
        for (Map<String, Object> row : rows) {
            row.put("fraction_of_matmul", round((Double) row.get("fraction_of_matmul") / gflops, 3));
            row.put("best_fraction_of_matmul", round((Double) row.get("best_fraction_of_matmul") / gflops, 3));
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("device", device.toString());
        report.put("threads", JniUtils.getNumThreads());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("load_average_before", round(loadBefore, 2));
        report.put("load_average_after", round(MachineStats.loadAverage(), 2));
        report.put("matmul_1024_gflops", round(gflops, 1));
        report.put("models", rows);
        print(spec.commandLine().getOut(), report, rows);
    }

    /** One model's row of the report (fractions of the matmul ceiling still in GFLOP/s). */
    private static Map<String, Object> row(TrainBench.Result r, int microBatch) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("model", r.model());
        row.put("parameters", r.parameters());
        row.put("batch", r.batch());
        row.put("micro_batch", microBatch == 0 ? r.batch() : microBatch);
        row.put("seconds_per_step", round(r.secondsPerStep(), 4));
        row.put("samples_per_s", round(r.samplesPerSecond(), 1));
        row.put("gflop_per_step", round(r.gflopPerStep(), 2));
        row.put("achieved_gflops", round(r.achievedGflops(), 1));
        row.put("fraction_of_matmul", r.achievedGflops());
        row.put("best_seconds_per_step", round(r.bestSecondsPerStep(), 4));
        row.put("best_fraction_of_matmul", r.bestAchievedGflops());
        Map<String, Object> phases = new LinkedHashMap<>();
        r.phaseMs().forEach((k, v) -> phases.put(k, round(v, 1)));
        row.put("phase_ms", phases);
        row.put("memory_mb_at_step", r.memoryMbAtStep());
        return row;
    }

    private void print(PrintWriter out, Map<String, Object> report, List<Map<String, Object>> rows) {
        if (format == OutputFormat.json) {
            out.println(Json.compact(report));
        } else {
            out.printf(Locale.ROOT, "device %s, %s threads, %s cores, load average %s -> %s%n", report.get("device"),
                    report.get("threads"), report.get("cores"), report.get("load_average_before"),
                    report.get("load_average_after"));
            out.printf(Locale.ROOT, "matmul ceiling (best of 1024^3 and 2048^3): %s GFLOP/s%n", report.get("matmul_1024_gflops"));
            out.printf(Locale.ROOT, "%-12s %-8s %10s %6s %9s %10s %9s %9s %8s %10s %9s %8s %8s  %s%n", "model", "prec",
                    "params", "batch", "s/step", "samples/s", "GFLOP/st", "GFLOP/s", "of mm", "best s/st", "best/mm",
                    "x fp32", "best x", "memory MB at step");
            for (Map<String, Object> r : rows) {
                out.printf(Locale.ROOT, "%-12s %-8s %10s %6s %9s %10s %9s %9s %8s %10s %9s %8s %8s  %s%n",
                        r.get("model"), r.get("precision"), r.get("parameters"), r.get("batch"),
                        r.get("seconds_per_step"), r.get("samples_per_s"),
                        r.get("gflop_per_step"), r.get("achieved_gflops"), r.get("fraction_of_matmul"),
                        r.get("best_seconds_per_step"), r.get("best_fraction_of_matmul"),
                        r.getOrDefault("speed_vs_fp32", "-"), r.getOrDefault("best_speed_vs_fp32", "-"),
                        r.get("memory_mb_at_step"));
            }
            for (Map<String, Object> r : rows) {
                out.printf(Locale.ROOT, "%-12s %-8s median ms per phase: %s%n", r.get("model"), r.get("precision"),
                        r.get("phase_ms"));
            }
            for (Map<String, Object> r : rows) {
                if (r.containsKey("micro_batch_overhead")) {
                    out.printf(Locale.ROOT, "%-12s micro-batch %s: step time %sx the whole batch's (best steps %sx), "
                            + "same run%n", r.get("model"), r.get("micro_batch"), r.get("micro_batch_overhead"),
                            r.get("best_micro_batch_overhead"));
                }
            }
        }
        out.flush();
    }

    /** {@code v} rounded to {@code digits} decimals, for the JSON reports of the bench commands. */
    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /** "100,1000" → {100, 1000}; "" → none. */
    static long[] steps(String text) {
        List<Long> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                try {
                    out.add(Checks.positive("--rss-steps", Long.parseLong(part.strip())));
                } catch (NumberFormatException e) {
                    throw new BadInputException("--rss-steps '" + text + "': write step numbers, e.g. 100,1000,"
                            + " or \"\" for none");
                }
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
