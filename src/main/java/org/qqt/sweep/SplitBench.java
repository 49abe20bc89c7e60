package org.qqt.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qqt.io.Json;

/**
 * {@code qqt bench split}: aggregate training throughput of each way to split this machine's cores into
 * {@code workers} side-by-side {@code qqt train} processes of {@code threads} threads each (workers × threads =
 * cores), through the same path as {@link LocalExecutor}: one process per worker started from the launcher with
 * {@code OMP_NUM_THREADS} and {@code --threads}. Each worker's samples/s is read from its {@code metrics.jsonl}
 * after the warm-up steps (JVM start, engine load and warm-up are not counted); a split's throughput is the sum
 * over its workers, which run the same steps at the same time.
 */
public final class SplitBench {
    private SplitBench() {}

    /** Training data of the workers: synthetic batches, or a pool subset's shards. */
    public record Data(Path pool, Path subset) {
        public static final Data RANDOM = new Data(null, null);

        boolean random() {
            return pool == null;
        }
    }

    /** What every worker trains: {@code warmup} untimed then {@code steps} timed steps of {@code batch}. */
    public record Options(Path launcher, Path model, int batch, int warmup, int steps, Data data, Path workDir) {
        public Options {
            if (batch < 1 || warmup < 0 || steps < 1) {
                throw new IllegalArgumentException("batch >= 1, warmup >= 0, steps >= 1");
            }
        }
    }

    /** One split's measurement: aggregate and per-worker samples/s, and the wall time including JVM starts. */
    public record Result(LocalSplit split, double samplesPerSecond, List<Double> perWorker, double wallSeconds) {}

    /** Every split with workers × threads = cores, fewest workers first (1 × cores is the baseline). */
    public static List<LocalSplit> splits(int cores) {
        if (cores < 1) {
            throw new IllegalArgumentException("cores >= 1");
        }
        List<LocalSplit> out = new ArrayList<>();
        for (int w = 1; w <= cores; w++) {
            if (cores % w == 0) {
                out.add(new LocalSplit(w, cores / w));
            }
        }
        return out;
    }

    /** Runs {@code split.workers()} training processes side by side and sums their post-warm-up throughput. */
    public static Result measure(Options o, LocalSplit split) throws InterruptedException {
        Path dir = o.workDir().resolve(split.workers() + "x" + split.threads());
        List<Process> procs = new ArrayList<>();
        List<Path> runs = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < split.workers(); i++) {
                Path run = dir.resolve("worker-" + i);
                Files.createDirectories(run);
                runs.add(run);
                ProcessBuilder pb = RunRunner.processBuilder(command(o, split.threads(), i, run), split.threads())
                        .redirectOutput(run.resolve(RunState.LOG).toFile());
                procs.add(pb.start());
            }
            for (int i = 0; i < procs.size(); i++) {
                int code = procs.get(i).waitFor();
                if (code != 0) {
                    throw new IllegalStateException("bench split " + split + ": worker " + i + " exited with code "
                            + code + "; its log " + runs.get(i).resolve(RunState.LOG) + " ends: "
                            + String.join(" | ", RunState.tail(runs.get(i).resolve(RunState.LOG), 3)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("bench split " + split + ": cannot start " + o.launcher() + ": "
                    + e.getMessage(), e);
        } finally {
            for (Process p : procs) {
                if (p.isAlive()) {
                    p.descendants().forEach(ProcessHandle::destroy);
                    p.destroy();
                }
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        List<Double> per = new ArrayList<>();
        double sum = 0;
        for (Path run : runs) {
            double s = throughputAfterWarmup(run.resolve("metrics.jsonl"), o.warmup());
            per.add(s);
            sum += s;
        }
        return new Result(split, sum, per, wall);
    }

    /** The {@code qqt train} command line of one worker (seed = worker index, so workers see different batches). */
    static List<String> command(Options o, int threads, int worker, Path run) {
        List<String> c = new ArrayList<>(List.of(o.launcher().toString(), "train", "--model", o.model().toString(),
                "--samples-seen", Long.toString((long) (o.warmup() + o.steps()) * o.batch()), "--batch",
                Integer.toString(o.batch()), "--threads", Integer.toString(threads), "--seed", Integer.toString(worker),
                "--checkpoint-every", "0", "--out", run.toString()));
        if (o.data().random()) {
            c.addAll(List.of("--data", "random"));
        } else {
            c.addAll(List.of("--data", "shards", "--pool", o.data().pool().toString(), "--subset",
                    o.data().subset().toString()));
        }
        return c;
    }

    /**
     * Samples/s over the steps after the first {@code warmup} in a metrics.jsonl: samples of those steps over the
     * sum of their step times (each line's {@code samples_seen} delta divided by its {@code samples_per_s}).
     */
    static double throughputAfterWarmup(Path metrics, int warmup) {
        List<String> lines;
        try {
            lines = Files.readAllLines(metrics, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("bench split: " + metrics + " was not written");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double samples = 0;
        double seconds = 0;
        long prevSeen = 0;
        int step = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = Json.mapper().readTree(line);
            } catch (IOException e) {
                throw new IllegalStateException("bench split: bad line in " + metrics + ": " + line);
            }
            long seen = n.path("samples_seen").asLong();
            double rate = n.path("samples_per_s").asDouble();
            long batch = seen - prevSeen;
            prevSeen = seen;
            if (++step <= warmup) {
                continue;
            }
            if (!(rate > 0)) {
                throw new IllegalStateException("bench split: step " + step + " of " + metrics + " has no samples/s");
            }
            samples += batch;
            seconds += batch / rate;
        }
        if (seconds == 0) {
            throw new IllegalStateException("bench split: " + metrics + " holds no step after the " + warmup
                    + " warm-up steps");
        }
        return samples / seconds;
    }

}
