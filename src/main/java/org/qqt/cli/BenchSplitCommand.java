package org.qqt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.io.AtomicFiles;
import org.qqt.io.MachineStats;
import org.qqt.model.ModelConfig;
import org.qqt.sweep.Launcher;
import org.qqt.sweep.LocalSplit;
import org.qqt.sweep.SplitBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt bench split}: aggregate training throughput of each workers × threads split of the cores. */
@Command(name = "split", mixinStandardHelpOptions = true,
        description = "Measure aggregate training samples/s of every split workers x threads = cores, each worker a "
                + "separate `qqt train` process as in `qqt sweep run` (OMP_NUM_THREADS and --threads), read from its "
                + "metrics.jsonl after the warm-up steps; ratios are against 1 x cores measured in the same run.",
        footer = {"", "Examples:", "  qqt bench split --model models/tiny.json",
                "  qqt bench split --model models/bench-7m.json --steps 10",
                "  qqt bench split --model models/tiny.json --data shards --pool datasets/world "
                        + "--subset datasets/world/subsets/all.npy"})
final class BenchSplitCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model config, e.g. models/tiny.json.")
    Path model;

    @Option(names = "--batch", defaultValue = "256", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps per worker (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--steps", defaultValue = "20", description = "Timed steps per worker (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--data", defaultValue = "random",
            description = "random (default: synthetic batches) or shards (--pool and --subset).")
    TrainCommand.DataKind data;

    @Option(names = "--pool", paramLabel = "DIR", description = "Pool directory (with --data shards).")
    Path pool;

    @Option(names = "--subset", paramLabel = "FILE.npy", description = "Subset file (with --data shards).")
    Path subset;

    @Option(names = "--cores", defaultValue = "0",
            description = "Cores to split (default: 0 = the cores Java sees).")
    int cores;

    @Option(names = "--qqt", paramLabel = "PATH", description = "qqt launcher the workers call (default: this "
            + "install's bin/qqt).")
    Path qqt;

    @Option(names = "--format", defaultValue = "table", description = "json or table (default).")
    OutputFormat format;

    @Override
    public void run() {
        long parameters = ModelConfig.load(model).parameterCount();
        if (batch < 1 || warmup < 0 || steps < 1 || cores < 0) {
            throw new BadInputException("--batch and --steps must be >= 1, --warmup and --cores >= 0");
        }
        SplitBench.Data d = SplitBench.Data.RANDOM;
        if (data == TrainCommand.DataKind.shards) {
            if (pool == null || subset == null) {
                throw new BadInputException("--data shards needs --pool and --subset");
            }
            d = new SplitBench.Data(pool.toAbsolutePath(), subset.toAbsolutePath());
        }
        int n = cores > 0 ? cores : Runtime.getRuntime().availableProcessors();
        Path launcher = qqt != null ? qqt.toAbsolutePath() : Launcher.find();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        double loadBefore = MachineStats.loadAverage();
        Path work = tempDir();
        List<SplitBench.Result> results = new ArrayList<>();
        try {
            SplitBench.Options o = new SplitBench.Options(launcher, model.toAbsolutePath(), batch, warmup, steps, d,
                    work);
            for (LocalSplit s : SplitBench.splits(n)) {
                err.printf(Locale.ROOT, "bench split: %s (%d worker(s) x %d thread(s)) ...%n", s, s.workers(),
                        s.threads());
                err.flush();
                results.add(SplitBench.measure(o, s));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            AtomicFiles.deleteTreeQuietly(work);
        }
        double loadAfter = MachineStats.loadAverage();
        double base = results.get(0).samplesPerSecond();
        SplitBench.Result best = results.stream().max(Comparator.comparingDouble(SplitBench.Result::samplesPerSecond))
                .orElseThrow();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", model.toString());
        report.put("parameters", parameters);
        report.put("batch", batch);
        report.put("warmup_steps", warmup);
        report.put("timed_steps", steps);
        report.put("data", data.name());
        report.put("cores", n);
        report.put("load_average_before", BenchTrainCommand.round(loadBefore, 2));
        report.put("load_average_after", BenchTrainCommand.round(loadAfter, 2));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SplitBench.Result r : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("workers", r.split().workers());
            row.put("threads", r.split().threads());
            row.put("samples_per_s", BenchTrainCommand.round(r.samplesPerSecond(), 1));
            row.put("per_worker", r.perWorker().stream().map(x -> BenchTrainCommand.round(x, 1)).toList());
            row.put("ratio_to_1x" + n, BenchTrainCommand.round(r.samplesPerSecond() / base, 3));
            row.put("wall_s", BenchTrainCommand.round(r.wallSeconds(), 1));
            rows.add(row);
        }
        report.put("splits", rows);
        report.put("winner", best.split().toString());
        if (format == OutputFormat.json) {
            out.println(Json.compact(report));
        } else {
            out.printf(Locale.ROOT, "model %s (%.2fM parameters), batch %d, data %s, %d cores; %d warm-up + %d timed "
                            + "steps per worker; load average %.2f before, %.2f after%n", model, parameters / 1e6, batch,
                    data, n, warmup, steps, loadBefore, loadAfter);
            out.printf(Locale.ROOT, "%-7s %7s %7s %11s %9s %7s  %s%n", "split", "workers", "threads", "samples/s",
                    "vs 1x" + n, "wall s", "per worker samples/s");
            for (SplitBench.Result r : results) {
                out.printf(Locale.ROOT, "%-7s %7d %7d %11.1f %9.2f %7.1f  %s%n", r.split(), r.split().workers(),
                        r.split().threads(), r.samplesPerSecond(), r.samplesPerSecond() / base, r.wallSeconds(),
                        r.perWorker().stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList());
            }
            out.printf(Locale.ROOT, "winner: %s (%d worker(s) x %d thread(s)), %.2fx of 1x%d%n", best.split(),
                    best.split().workers(), best.split().threads(), best.samplesPerSecond() / base, n);
        }
        out.flush();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("qqt-bench-split");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
