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
 * it: read the subset file (half the pool, in a sorted .npy), count its uids, index the shards (the start reads
 * the tar headers and writes the run's header index cache, see {@link ShardHeaders}), plan and decode the first
 * batch; the resume reads the subset again, the index from the cache, restores a mid-epoch position and decodes
 * the next batch; a third pass times the same resume without the cache (every tar header read again). With
 * {@code cold}, the page cache of the pool, the subset and the index cache is emptied before each of the three
 * ({@code posix_fadvise(POSIX_FADV_DONTNEED)} after an fsync, by {@code python}; only these files, nothing else of
 * the machine's), as on a node that has never read them; else they stay cached from writing them. The
 * process's CPU seconds of each are reported beside the wall seconds.
 */
public final class StartBench {
    /** Seconds of each phase; {@code poolSamples} written, {@code subsetRows} in the subset. */
    public record Result(long poolSamples, long subsetRows, int threads, int batch, boolean coldCache,
                         double writeSeconds, double subsetSeconds, double indexSeconds, double firstBatchSeconds,
                         double startToFirstBatchSeconds, double startCpuSeconds, double resumeToBatchSeconds,
                         double resumeCpuSeconds, int resumeShardsFromCache, int shards,
                         double resumeWithoutCacheSeconds, double resumeWithoutCacheCpuSeconds, long poolBytes,
                         long indexCacheBytes, double loadAverageBefore, double loadAverageAfter) {}

    private StartBench() {}

    /** CPU time of this process, all threads (the machine may be shared: wall time alone says little). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Drops {@code files} from the page cache (fsync, then POSIX_FADV_DONTNEED), with {@code python}. */
    static void evict(String python, List<Path> files) {
        List<String> cmd = new ArrayList<>(List.of(python, "-c", "import os,sys\n"
                + "for f in sys.argv[1:]:\n"
                + "    fd = os.open(f, os.O_RDONLY); os.fsync(fd)\n"
                + "    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)\n"));
        files.forEach(f -> cmd.add(f.toString()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new org.qqt.io.BadInputException("--cold: " + python + " could not evict the pool from the "
                        + "page cache (" + out.strip() + "); give a Python 3 with --python");
            }
        } catch (IOException e) {
            throw new org.qqt.io.BadInputException("--cold: cannot run " + python + " (" + e.getMessage()
                    + "); give a Python 3 with --python");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static long bytesUnder(Path dir) throws IOException {
        long n = 0;
        for (Path p : filesUnder(dir)) {
            n += Files.size(p);
        }
        return n;
    }

    private record Timed(double seconds, double cpuSeconds, int fromCache) {}

    /** Subset read, index (from {@code cache} when given), restore {@code mid}, next batch. */
    private static Timed resume(Path shards, Path subsetFile, LoaderOptions opt, LoaderState mid) {
        long q0 = System.nanoTime();
        long qc = cpuNanos();
        Map<Uid, Integer> counts = ShardLoader.countsOf(SubsetFile.read(subsetFile).uids());
        try (ShardLoader l = ShardLoader.open(shards, counts, new DataBench.CharTokenizer(), opt)) {
            l.restore(mid);
            l.next();
            return new Timed((System.nanoTime() - q0) / 1e9, (cpuNanos() - qc) / 1e9, l.shardsIndexedFromCache());
        }
    }

    public static Result run(long samples, int threads, int batch, int imageSize, long seed, boolean cold,
                             String python, java.util.function.Consumer<String> progress) {
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
            long bytes = bytesUnder(shards);
            Path cache = tmp.resolve("run").resolve("shard-index");
            LoaderOptions opt = LoaderOptions.of(imageSize, 77, batch, seed).withThreads(threads);
            List<Path> poolFiles = new ArrayList<>(filesUnder(shards));
            poolFiles.add(subsetFile);
            if (cold) {
                progress.accept("evicting the pool from the page cache");
                evict(python, poolFiles);
            }
            progress.accept("start: subset, index (writing the index cache), first batch");
            long c0 = cpuNanos();
            long s0 = System.nanoTime();
            SubsetFile sf = SubsetFile.read(subsetFile);
            Map<Uid, Integer> counts = ShardLoader.countsOf(sf.uids());
            long s1 = System.nanoTime();
            LoaderState mid;
            double startCpu;
            double index;
            double first;
            try (ShardLoader l = ShardLoader.open(shards, counts, new DataBench.CharTokenizer(),
                    opt.withIndexCache(cache))) {
                long s2 = System.nanoTime();
                l.next();
                long s3 = System.nanoTime();
                startCpu = (cpuNanos() - c0) / 1e9;
                index = (s2 - s1) / 1e9;
                first = (s3 - s2) / 1e9;
                long half = l.epochSize() / 2;
                mid = new LoaderState(seed, 0, half, half);
            }
            counts = null;
            double start = (s1 - s0) / 1e9 + index + first;
            List<Path> cacheFiles = filesUnder(cache);
            if (cold) {
                List<Path> all = new ArrayList<>(poolFiles);
                all.addAll(cacheFiles);
                evict(python, all);
            }
            progress.accept("resume: subset, index from the cache, restore mid-epoch, next batch");
            Timed resumed = resume(shards, subsetFile, opt.withIndexCache(cache), mid);
            if (cold) {
                evict(python, poolFiles);
            }
            progress.accept("resume without the cache: every tar header read again");
            Timed uncached = resume(shards, subsetFile, opt, mid);
            return new Result(samples, sf.size(), threads, batch, cold, write, (s1 - s0) / 1e9, index, first, start,
                    startCpu, resumed.seconds(), resumed.cpuSeconds(), resumed.fromCache(), ShardReader.listShards(shards).size(),
                    uncached.seconds(), uncached.cpuSeconds(), bytes, bytesUnder(cache), loadBefore,
                    org.qqt.io.MachineStats.loadAverage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            org.qqt.io.AtomicFiles.deleteTreeQuietly(tmp);
        }
    }
}
