package org.qqt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.qqt.filter.baseline.FilterBench;
import org.qqt.filter.baseline.FilterBench.Implementation;
import org.qqt.filter.baseline.FilterBench.Timing;
import org.qqt.filter.ScoreRange;
import org.qqt.io.MachineStats;
import org.qqt.io.SampleCount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt bench filter}: filter throughput on generated metadata, against DuckDB scans of the same file. */
@Command(name = "filter", mixinStandardHelpOptions = true,
        description = {"Benchmark qqt filter: generate a metadata parquet of N rows (uid, text, score) with DuckDB, "
                + "then time top-10%% and deciles against a same-run DuckDB scan of that file and against the "
                + "previous per-bucket export path (same run, same file, same bytes checked); also CLIP tokenizer "
                + "captions/s.", "Targets: 12.8M rows <= 5 s, 128M rows <= 15 s (top-10%% + deciles)."},
        footer = {"", "Example:", "  qqt bench filter --rows 12.8M,128M --dir /tmp/qqt-bench"})
final class BenchFilterCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--rows", defaultValue = "12.8M", paramLabel = "N[,N...]",
            description = "Pool sizes (default: ${DEFAULT-VALUE}).")
    String rows;

    @Option(names = "--dir", paramLabel = "DIR", description = "Work directory (default: a new temp directory, deleted after).")
    Path dir;

    @Option(names = "--pool", paramLabel = "PARQUET",
            description = "Reuse this pool parquet for the first --rows size (generated there when missing, kept "
                    + "afterwards): generating 128M rows takes minutes.")
    Path pool;

    @Option(names = "--reference", description = "Also time the straightforward row-by-row path (scores and uids "
            + "through JDBC, ranking in Java) on the same file, and check that it writes the same bytes.")
    boolean reference;

    @Option(names = "--no-baseline", description = "Skip the same-run baseline: the previous path (one uid export per "
            + "bucket) timed on the same file after the new one, checked to write the same bytes (minutes at 128M).")
    boolean noBaseline;

    @Option(names = "--one-worker", description = "Also time the default path with one scan worker instead of one "
            + "per core (what the parallel scan gives), and check that it writes the same bytes.")
    boolean oneWorker;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "K",
            description = "Run the default path's top-10%% and deciles jobs K times each (alternating) and report "
                    + "the median, with the range: on a shared or virtual machine one run can be off by seconds "
                    + "(default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--keep", description = "Keep the generated parquet and buckets.")
    boolean keep;

    @Option(names = "--tokenizer-captions", defaultValue = "200000", paramLabel = "N",
            description = "Captions for the tokenizer throughput (0 skips it; default: ${DEFAULT-VALUE}).")
    int tokenizerCaptions;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        List<Double> sizes = SampleCount.parseList(rows);
        Path work = dir;
        boolean temp = work == null;
        try {
            if (temp) {
                work = Files.createTempDirectory("qqt-bench filter");
            }
            Files.createDirectories(work);
            out.printf(Locale.ROOT, "load average at start: %s (%d cores)%n", String.format(Locale.ROOT, "%.2f", MachineStats.loadAverage()),
                    Runtime.getRuntime().availableProcessors());
            out.printf(Locale.ROOT, "work dir %s, free disk %.1f GB%n", work, Files.getFileStore(work).getUsableSpace() / 1e9);
            out.flush();
            warmUp(work);
            for (double size : sizes) {
                long n = (long) size;
                boolean reuse = pool != null && size == sizes.get(0);
                Path parquet = reuse ? pool : work.resolve("pool-" + SampleCount.format(size) + ".parquet");
                if (reuse && Files.exists(parquet)) {
                    out.printf(Locale.ROOT, "%n%s rows: reusing %s (%.2f GB)%n", SampleCount.format(size), parquet,
                            Files.size(parquet) / 1e9);
                } else {
                    long t0 = System.nanoTime();
                    FilterBench.generatePool(parquet, n, 0);
                    double gen = (System.nanoTime() - t0) / 1e9;
                    out.printf(Locale.ROOT, "%n%s rows: generated %s (%.2f GB) in %.2f s%n", SampleCount.format(size),
                            parquet.getFileName(), Files.size(parquet) / 1e9, gen);
                }
                out.flush();
                List<Timing> base = FilterBench.baselines(parquet, n);
                List<Other> others = others();
                // jobs: [new top, new deciles, then top and deciles of each other path]; the default path's jobs run
                // first (--repeat times, alternating; the median run counts), then each other path's, whose files
                // are checked against the default path's
                Timing[] timed = new Timing[2 + 2 * others.size()];
                long rssNew = 0;
                List<List<ScoreRange>> jobRanges = List.of(List.of(ScoreRange.top(10)), FilterBench.deciles());
                String[] labels = {"filter top-10%", "filter deciles (10 buckets)"};
                String[] dirNames = {"top10-" + n, "deciles-" + n};
                List<List<Timing>> runs = List.of(new ArrayList<>(), new ArrayList<>());
                for (int k = 0; k < Math.max(1, repeat); k++) {
                    for (int job = 0; job < 2; job++) {
                        runs.get(job).add(FilterBench.filter(labels[job], parquet, jobRanges.get(job),
                                work.resolve(dirNames[job]), n, Implementation.ONE_PASS));
                    }
                }
                rssNew = MachineStats.peakRssMiB();
                for (int job = 0; job < 2; job++) {
                    timed[job] = median(runs.get(job));
                    List<ScoreRange> ranges = jobRanges.get(job);
                    String dirName = dirNames[job];
                    for (int i = 0; i < others.size(); i++) {
                        Other o = others.get(i);
                        Implementation impl = o.impl();
                        timed[2 + 2 * i + job] = FilterBench.filter(job == 0 ? o.topJob() : o.decilesJob(), parquet,
                                ranges, work.resolve(o.prefix() + dirName), n, impl);
                        try (Stream<Path> files = Files.list(work.resolve(dirName))) {
                            for (Path f : files.filter(f -> f.toString().endsWith(".npy")).toList()) {
                                if (Files.mismatch(f, work.resolve(o.prefix() + dirName).resolve(f.getFileName())) != -1) {
                                    throw new IllegalStateException(f + " differs from the " + impl + " path's file");
                                }
                            }
                        }
                        org.qqt.io.AtomicFiles.deleteTreeQuietly(work.resolve(o.prefix() + dirName));
                        out.printf(Locale.ROOT, "%s path wrote identical .npy files (%s)%n", impl, dirName);
                    }
                }
                List<Timing> jobs = List.of(timed);
                double outGb = (dirSize(work.resolve(dirNames[0])) + dirSize(work.resolve(dirNames[1]))) / 1e9;
                base.addAll(FilterBench.baselines(parquet, n)); // again after: page cache warm for both
                Timing count = best(base, "duckdb SELECT count(*)");
                Timing scan = best(base, FilterBench.SCAN);
                out.printf(Locale.ROOT, "%-40s %10s %14s %12s %12s%n", "job", "seconds", "rows/s", "x count(*)", "x scan");
                for (Timing t : List.of(count, scan)) {
                    out.printf(Locale.ROOT, "%-40s %10.3f %14.0f %12s %12s%n", t.job(), t.seconds(), t.rows() / t.seconds(),
                            "", "");
                }
                for (Timing t : jobs) {
                    out.printf(Locale.ROOT, "%-40s %10.3f %14.0f %12.1f %12.1f%n", t.job(), t.seconds(),
                            t.rows() / t.seconds(), t.seconds() / count.seconds(), t.seconds() / scan.seconds());
                }
                if (repeat > 1) {
                    for (List<Timing> r : runs) {
                        out.printf(Locale.ROOT, "  %s: median of %d runs, %.3f to %.3f s (%s)%n", r.get(0).job(),
                                r.size(), r.stream().mapToDouble(Timing::seconds).min().orElseThrow(),
                                r.stream().mapToDouble(Timing::seconds).max().orElseThrow(), String.join(", ",
                                        r.stream().map(t -> String.format(Locale.ROOT, "%.2f", t.seconds())).toList()));
                    }
                }
                for (Timing t : jobs) {
                    if (!t.phases().isEmpty()) {
                        StringBuilder line = new StringBuilder();
                        t.phases().forEach((phase, sec) ->
                                line.append(String.format(Locale.ROOT, ", %s %.2f", phase, sec)));
                        out.printf(Locale.ROOT, "  %s, seconds per phase: %s%n", t.job(), line.substring(2));
                    }
                }
                double total = jobs.get(0).seconds() + jobs.get(1).seconds();
                out.printf(Locale.ROOT, "top-10%% + deciles: %.2f s (target %s); peak RSS after it %d MiB; output %.2f GB%n",
                        total, n <= 12_800_000 ? "<= 5 s at 12.8M" : "<= 15 s at 128M", rssNew, outGb);
                for (int i = 0; i < others.size(); i++) {
                    Timing top = jobs.get(2 + 2 * i);
                    Timing dec = jobs.get(3 + 2 * i);
                    out.printf(Locale.ROOT, "speed-up over the %s path (same run): top-10%% %.1fx, deciles %.1fx, "
                            + "total %.1fx (%.2f s -> %.2f s)%n", others.get(i).impl(), top.seconds() / jobs.get(0).seconds(),
                            dec.seconds() / jobs.get(1).seconds(), (top.seconds() + dec.seconds()) / total,
                            top.seconds() + dec.seconds(), total);
                }
                out.flush();
                if (!keep) {
                    org.qqt.io.AtomicFiles.deleteTreeQuietly(work.resolve(dirNames[0]));
                    org.qqt.io.AtomicFiles.deleteTreeQuietly(work.resolve(dirNames[1]));
                    if (!reuse) {
                        Files.deleteIfExists(parquet);
                    }
                }
            }
            if (tokenizerCaptions > 0) {
                double[] cps = FilterBench.tokenizerThroughput(tokenizerCaptions);
                out.printf(Locale.ROOT, "%nCLIP tokenizer, %d captions (context 77), one thread: first pass %.0f captions/s, "
                        + "second pass (BPE cache warm) %.0f captions/s%n", tokenizerCaptions, cps[0], cps[1]);
            }
            out.printf(Locale.ROOT, "load average at end: %s; peak RSS %d MiB; JVM max heap %d MiB%n",
                    String.format(Locale.ROOT, "%.2f", MachineStats.loadAverage()), MachineStats.peakRssMiB(), Runtime.getRuntime().maxMemory() >> 20);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (temp && !keep && work != null) {
                org.qqt.io.AtomicFiles.deleteTreeQuietly(work);
            }
        }
    }

    /**
     * Runs every timed path once on a small pool (larger than the radix selection's sort limit, so that its
     * histogram pass runs too), so that JIT compilation is not charged to the first timed job.
     */
    private void warmUp(Path work) throws IOException {
        Path small = work.resolve("warm-up.parquet");
        int rows = 1_500_000;
        FilterBench.generatePool(small, rows, 1);
        List<Implementation> timed = new ArrayList<>(List.of(Implementation.ONE_PASS));
        others().forEach(o -> timed.add(o.impl()));
        for (Implementation impl : timed) {
            for (List<ScoreRange> ranges : List.of(List.of(ScoreRange.top(10)), FilterBench.deciles())) {
                FilterBench.filter("warm-up", small, ranges, work.resolve("warm-up"), rows, impl);
                org.qqt.io.AtomicFiles.deleteTreeQuietly(work.resolve("warm-up"));
            }
        }
        Files.delete(small);
    }

    /** A path timed beside the default one: its job labels, its output directory prefix, its implementation. */
    private record Other(String topJob, String decilesJob, String prefix, Implementation impl) {}

    /** The other paths the options ask for, in the order they run and print. */
    private List<Other> others() {
        List<Other> others = new ArrayList<>();
        if (!noBaseline) {
            others.add(new Other("previous top-10% (export per bucket)", "previous deciles (export per bucket)", "prev-",
                    Implementation.PER_BUCKET_EXPORT));
        }
        if (oneWorker) {
            others.add(new Other("one-worker top-10%", "one-worker deciles", "one-", Implementation.ONE_WORKER));
        }
        if (reference) {
            others.add(new Other("reference top-10% (row by row)", "reference deciles (row by row)", "ref-",
                    Implementation.ROW_BY_ROW));
        }
        return others;
    }

    /** The run of median time (the lower middle one for an even count). */
    private static Timing median(List<Timing> runs) {
        List<Timing> sorted = runs.stream().sorted(Comparator.comparingDouble(Timing::seconds)).toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static Timing best(List<Timing> ts, String job) {
        return ts.stream().filter(t -> t.job().equals(job)).min(Comparator.comparingDouble(Timing::seconds)).orElseThrow();
    }

    private static long dirSize(Path d) {
        if (!Files.exists(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

}
