package org.qqt.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code qqt bench data --first-batch}: seconds from start to the first batch, and from a resume to the next
 * batch, on a pool of many samples built cheaply (one tiny JPEG shared by all samples, a short caption, a json
 * uid: the cost is in the number of samples, which is what indexing pays for). Timed like {@code qqt train} pays
 * it: read the subset file (half the pool, in a sorted .npy), count its uids, index the shards, plan and decode
 * the first batch; for the resume also restore a mid-epoch position. The shards stay in the page cache between
 * the two (as they would on a node that resumes a run it ran); a cold page cache is not measured. The process's
 * CPU seconds of each are reported beside the wall seconds.
 */
public final class StartBench {
    /** Seconds of each phase; {@code poolSamples} written, {@code subsetRows} in the subset. */
    public record Result(long poolSamples, long subsetRows, int threads, int batch, double writeSeconds,
                         double subsetSeconds, double indexSeconds, double firstBatchSeconds,
                         double startToFirstBatchSeconds, double resumeToBatchSeconds, double startCpuSeconds,
                         double resumeCpuSeconds, long poolBytes,
                         double loadAverageBefore, double loadAverageAfter) {}

    private StartBench() {}

    /** CPU time of this process, all threads (the machine may be shared: wall time alone says little). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    public static Result run(long samples, int threads, int batch, int imageSize, long seed,
                             java.util.function.Consumer<String> progress) {
        double loadBefore = org.qqt.io.MachineStats.loadAverage();
        Path tmp = DataBench.tempDir("qqt-bench-start");
        try {
            progress.accept("writing a pool of " + samples + " samples (one shared 16x16 JPEG)");
            long t0 = System.nanoTime();
            Path shards = tmp.resolve("shards");
            byte[] jpg = ImageCodec.encodeJpeg(PhotoBench.photo(16, 16, new Random(seed)), 0.9f);
            Random r = new Random(seed);
            List<Uid> subset = new ArrayList<>();
            try (ShardWriter w = ShardWriter.pool(shards)) {
                for (long i = 0; i < samples; i++) {
                    Uid uid = new Uid(r.nextLong(), r.nextLong());
                    if ((i & 1) == 0) {
                        subset.add(uid);
                    }
                    Map<String, byte[]> m = new LinkedHashMap<>();
                    m.put("jpg", jpg);
                    m.put("txt", ("a photo of thing " + i).getBytes(StandardCharsets.UTF_8));
                    m.put("json", ("{\"uid\": \"" + uid.hex() + "\"}").getBytes(StandardCharsets.UTF_8));
                    w.write(m);
                }
            }
            Path subsetFile = tmp.resolve("half.npy");
            SubsetFile.of(subset).write(subsetFile);
            subset = null;
            double write = (System.nanoTime() - t0) / 1e9;
            long bytes;
            try (var s = Files.list(shards)) {
                bytes = s.mapToLong(p -> p.toFile().length()).sum();
            }
            LoaderOptions opt = LoaderOptions.of(imageSize, 77, batch, seed).withThreads(threads);
            progress.accept("start: subset, index, first batch");
            long c0 = cpuNanos();
            long s0 = System.nanoTime();
            SubsetFile sf = SubsetFile.read(subsetFile);
            Map<Uid, Integer> counts = ShardLoader.countsOf(sf.uids());
            long s1 = System.nanoTime();
            LoaderState mid;
            double startCpu;
            double index;
            double first;
            try (ShardLoader l = ShardLoader.open(shards, counts, new DataBench.CharTokenizer(), opt)) {
                long s2 = System.nanoTime();
                l.next();
                long s3 = System.nanoTime();
                startCpu = (cpuNanos() - c0) / 1e9;
                index = (s2 - s1) / 1e9;
                first = (s3 - s2) / 1e9;
                long half = l.epochSize() / 2;
                mid = new LoaderState(seed, 0, half, half);
            }
            double start = (s1 - s0) / 1e9 + index + first;
            progress.accept("resume: subset, index, restore mid-epoch, next batch");
            long q0 = System.nanoTime();
            long qc = cpuNanos();
            SubsetFile sf2 = SubsetFile.read(subsetFile);
            Map<Uid, Integer> counts2 = ShardLoader.countsOf(sf2.uids());
            double resume;
            double resumeCpu;
            try (ShardLoader l = ShardLoader.open(shards, counts2, new DataBench.CharTokenizer(), opt)) {
                l.restore(mid);
                l.next();
                resume = (System.nanoTime() - q0) / 1e9;
                resumeCpu = (cpuNanos() - qc) / 1e9;
            }
            return new Result(samples, sf.size(), threads, batch, write, (s1 - s0) / 1e9, index, first, start,
                    resume, startCpu, resumeCpu, bytes, loadBefore, org.qqt.io.MachineStats.loadAverage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            org.qqt.io.AtomicFiles.deleteTreeQuietly(tmp);
        }
    }
}
