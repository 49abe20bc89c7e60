package org.qqt.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.data.DataBench;
import org.qqt.data.LoaderOptions;
import org.qqt.data.PhotoBench;
import org.qqt.data.StartBench;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt bench data} (to become {@code qqt bench data}): data-loader throughput against same-run baselines. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Measure the shard loader (samples/s) against the raw tar read rate and ImageIO decode-only "
                + "rate, on a synthetic JPEG pool written to a temp dir (deleted afterwards).",
        footer = {"", "Examples:", "  qqt bench data --samples 20000 --sizes 32,64 --threads 1,2",
                "  qqt bench data --realistic --samples 300      (224 px from 256-512 px JPEGs, against Pillow)",
                "  qqt bench data --first-batch --samples 1000000 (seconds to the first batch, start and resume)"})
final class BenchDataCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--samples", defaultValue = "20000", description = "Samples in the synthetic pool (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--sizes", defaultValue = "32,64", split = ",", description = "Image sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--threads", split = ",", description = "Decode thread counts (default: 1,2).")
    List<Integer> threadsGiven;

    @Option(names = "--batch-size", defaultValue = "256", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the synthetic pool and the loader order.")
    long seed;

    @Option(names = "--rounds", defaultValue = "3", description = "Timed passes per rate; the best counts (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--format", defaultValue = "table", description = "json, csv or table (default).")
    OutputFormat format;

    @Option(names = "--realistic", description = "Per-image cost at 224 px on photo-like JPEGs of 256-512 px, in "
            + "samples per CPU-second on one core, against Pillow on the same files in the same run.")
    boolean realistic;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "EXE",
            description = "--realistic: the Python with Pillow (default: ${DEFAULT-VALUE}, Debian's python3-pil).")
    String python;

    @Option(names = "--first-batch", description = "Seconds from start, and from a mid-epoch resume, to the next "
            + "batch on a pool of --samples tiny samples (subset: half of them); --threads: decode threads (first "
            + "value; default: the job's cores).")
    boolean firstBatch;

    @Option(names = "--cold", description = "--first-batch: empty the page cache of the pool's files (and the index "
            + "cache's) before the start and each resume (fsync + POSIX_FADV_DONTNEED, run with --python), as on a "
            + "node that never read them.")
    boolean cold;

    @Override
    public void run() {
        if (samples < 100) {
            throw new BadInputException("--samples must be >= 100, got " + samples);
        }
        if (sizes.stream().anyMatch(s -> s < 8)) {
            throw new BadInputException("--sizes must be >= 8");
        }
        PrintWriter err = spec.commandLine().getErr();
        List<Integer> threads = threadsGiven != null ? threadsGiven : List.of(1, 2);
        if (batchSize < 1 || threads.stream().anyMatch(t -> t < 1)) {
            throw new BadInputException("--batch-size and --threads must be >= 1");
        }
        if (realistic && firstBatch) {
            throw new BadInputException("--realistic and --first-batch are two benchmarks; give one");
        }
        if (cold && !firstBatch) {
            throw new BadInputException("--cold applies to --first-batch only");
        }
        if (realistic || firstBatch) {
            Object res = realistic
                    ? PhotoBench.run(samples, Math.max(1, rounds), seed, python, Qqt.lines(err, "bench data: "))
                    : StartBench.run(samples, threadsGiven != null ? threadsGiven.get(0) : LoaderOptions.defaultThreads(),
                    batchSize, 224, seed, cold, python, Qqt.lines(err, "bench data: "));
            PrintWriter out = spec.commandLine().getOut();
            if (format == OutputFormat.json) {
                out.println(Json.compact(res));
            } else {
                out.println(Json.pretty(res));
            }
            out.flush();
            return;
        }
        DataBench.Result r = DataBench.run(samples, sizes, threads, batchSize, seed, Math.max(1, rounds),
                Qqt.lines(err, "bench data: "));
        print(spec.commandLine().getOut(), r, format);
    }

    static void print(PrintWriter out, DataBench.Result r, OutputFormat format) {
        switch (format) {
            case json -> out.println(Json.compact(r));
            case csv -> {
                out.println("image_size,what,threads,samples_per_second,seconds,samples,vs_decode_only");
                for (DataBench.Rate x : r.rates()) {
                    out.printf(Locale.ROOT, "%d,%s,%d,%.1f,%.3f,%d,%.3f%n", x.imageSize(), x.what(), x.threads(),
                            x.samplesPerSecond(), x.seconds(), x.samples(), x.samplesPerSecond() / decodeRate(r, x.imageSize()));
                }
            }
            case table -> {
                out.printf(Locale.ROOT, "%d samples (32x32 JPEG: %.0f bytes on average), batch %d, %d CPUs, "
                                + "load average %.2f before / %.2f after; best of the rounds%n",
                        r.samples(), r.jpegBytesMean32(), r.batchSize(), r.cpus(), r.loadAverageBefore(),
                        r.loadAverageAfter());
                out.printf(Locale.ROOT, "%5s  %-22s %7s %12s %14s %12s%n", "size", "what", "threads", "samples/s",
                        "vs decode-only", "vs tar read");
                for (DataBench.Rate x : r.rates()) {
                    out.printf(Locale.ROOT, "%5d  %-22s %7d %12.0f %14.2f %12.3f%n", x.imageSize(), x.what(), x.threads(),
                            x.samplesPerSecond(), x.samplesPerSecond() / decodeRate(r, x.imageSize()),
                            x.samplesPerSecond() / rate(r, x.imageSize(), "tar read (no decode)"));
                }
                Map<String, Double> idx = new LinkedHashMap<>(r.indexSeconds());
                out.println("index build (tar headers, json and txt members; no decode), seconds: " + idx);
            }
        }
        out.flush();
    }

    private static double decodeRate(DataBench.Result r, int size) {
        return rate(r, size, "ImageIO.read only");
    }

    private static double rate(DataBench.Result r, int size, String what) {
        return r.rates().stream().filter(x -> x.imageSize() == size && x.what().equals(what))
                .mapToDouble(DataBench.Rate::samplesPerSecond).findFirst().orElse(Double.NaN);
    }
}
