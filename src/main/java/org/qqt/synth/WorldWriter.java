package org.qqt.synth;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.qqt.data.ImageCodec;
import org.qqt.data.PoolMetadata;
import org.qqt.data.ShardWriter;
import org.qqt.data.TaskWriter;
import org.qqt.data.Uid;
import org.qqt.io.BadInputException;
import org.qqt.io.Futures;
import org.qqt.io.Json;

/**
 * Writes a generated world to disk, the only class of the package that touches files:
 * <pre>
 * out/pool/shards/00000000.tar ...     {key}.jpg, {key}.txt (caption), {key}.json (uid, caption, sizes)
 * out/pool/metadata.parquet            uid, text, original_width, original_height, true_quality, diagnostics
 * out/teacher/shards/..., metadata.parquet   the clean teacher set, same layout
 * out/tasks/&lt;key with / as -&gt;/         CLIP_benchmark webdataset layout (PNG images)
 * out/world.json                       resolved config, seed, counts, attribute space, tasks, pool deciles
 * </pre>
 * Samples are made in blocks, each split over {@code threads} workers; they are written in index order, so the
 * bytes do not depend on the number of threads. Same config and seed give byte-identical files.
 */
public final class WorldWriter {
    /**
     * Diagnostic FLOAT columns after true_quality (0/1 for flags, −1 for "no duplicate group"; corruption_kind:
     * 0 none, 1 noise, 2 blur, 3 jpeg, 4 occlusion).
     */
    public static final List<String> DIAGNOSTICS = List.of("caption_correct", "is_junk", "is_corrupt",
            "corruption_kind", "dup_group", "n_objects");
    private static final List<String> CORRUPTION_CODES = List.of("", "noise", "blur", "jpeg", "occlusion");

    private static final int BLOCK = 1024;

    private final WorldConfig config;
    private final long seed;
    private final int threads;
    private final PrintStream progress;

    /** Counts and rates of one written run. */
    public record Summary(int poolSamples, int teacherSamples, int poolShards, int teacherShards, int tasks,
                          long taskImages, double seconds, double poolSamplesPerSecond) {}

    public WorldWriter(WorldConfig config, long seed, int threads, PrintStream progress) {
        this.config = config;
        this.seed = seed;
        this.threads = Math.max(1, threads);
        this.progress = progress;
    }

    /** Writes everything under {@code out} (metadata only: no shards, no tasks). */
    public Summary write(Path out, boolean metadataOnly) {
        prepare(out);
        long t0 = System.nanoTime();
        PoolGenerator gen = new PoolGenerator(config, seed);
        EvalTasks tasks = new EvalTasks(config, seed);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "qqt-synth");
            t.setDaemon(true);
            return t;
        });
        try {
            long tp = System.nanoTime();
            Part poolPart = writePart(out.resolve("pool"), "pool", config.poolSize(), gen::pool, gen, metadataOnly, pool);
            double poolSeconds = (System.nanoTime() - tp) / 1e9;
            Part teacherPart = writePart(out.resolve("teacher"), "teacher", config.teacherSize(), gen::teacher, gen,
                    metadataOnly, pool);
            long taskImages = 0;
            if (!metadataOnly) {
                for (SynthTaskSpec spec : tasks.specs()) {
                    taskImages += writeTask(out.resolve("tasks").resolve(spec.dirName()), tasks, spec, pool);
                }
            }
            Map<String, Object> world = new LinkedHashMap<>();
            world.put("generator", "qqt synth");
            world.put("seed", seed);
            world.put("config", config);
            AttributeSpace space = config.attributeSpace();
            Map<String, Object> sp = new LinkedHashMap<>();
            sp.put("objects", space.objects());
            sp.put("single_object_scenes", space.singleObjectScenes());
            sp.put("scenes", space.scenes().toString());
            sp.put("log10_scenes", space.log10Scenes());
            world.put("attribute_space", sp);
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("pool_samples", config.poolSize());
            counts.put("pool_shards", poolPart.shards);
            counts.put("teacher_samples", config.teacherSize());
            counts.put("teacher_shards", teacherPart.shards);
            counts.put("metadata_only", metadataOnly);
            counts.put("task_images", taskImages);
            world.put("counts", counts);
            world.put("diagnostic_columns", DIAGNOSTICS);
            world.put("tasks", tasks.specs());
            world.put("pool_deciles", poolPart.deciles);
            Json.write(out.resolve("world.json"), world);
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Summary(config.poolSize(), config.teacherSize(), poolPart.shards, teacherPart.shards,
                    metadataOnly ? 0 : tasks.specs().size(), taskImages, seconds, config.poolSize() / poolSeconds);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Refuses to write into a non-empty directory that is not a previous output; clears our old outputs. */
    private static void prepare(Path out) {
        try {
            if (Files.isDirectory(out)) {
                boolean empty;
                try (var s = Files.list(out)) {
                    empty = s.findAny().isEmpty();
                }
                if (!empty && !Files.exists(out.resolve("world.json"))) {
                    throw new BadInputException(out + ": directory is not empty and holds no world.json; "
                            + "choose a new --out directory (qqt synth only overwrites its own outputs)");
                }
                for (String sub : List.of("pool", "teacher", "tasks")) {
                    org.qqt.io.AtomicFiles.deleteTree(out.resolve(sub));
                }
            } else if (Files.exists(out)) {
                throw new BadInputException(out + ": exists and is not a directory; choose another --out");
            }
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
        }
    }


    private record Part(int shards, List<PoolStats.Decile> deciles) {}

    /** One encoded pool sample, ready for the shard writer. */
    private record Encoded(PoolSample sample, byte[] jpeg) {}

    private Part writePart(Path dir, String name, int n, java.util.function.LongFunction<PoolSample> make,
                           PoolGenerator gen, boolean metadataOnly, ExecutorService pool) {
        List<PoolMetadata.Row> rows = new ArrayList<>(n);
        List<PoolSample> forStats = new ArrayList<>(n);
        int size = config.imageSize();
        int shards = 0;
        Progress p = new Progress(name, n);
        ShardWriter writer = metadataOnly ? null : new ShardWriter(org.qqt.data.PoolLayout.shards(dir), config.shardSize(),
                ShardWriter.Naming.IMG2DATASET);
        try {
            for (int start = 0; start < n; start += BLOCK) {
                int end = Math.min(n, start + BLOCK);
                List<Encoded> block = parallel(start, end, i -> {
                    PoolSample s = make.apply(i);
                    byte[] jpeg = metadataOnly ? null
                            : ImageCodec.encodeJpeg(gen.image(s), s.jpegQuality() / 100f);
                    return new Encoded(s, jpeg);
                }, pool);
                for (Encoded e : block) {
                    PoolSample s = e.sample();
                    if (writer != null) {
                        String key = writer.nextKey();
                        Map<String, byte[]> m = new LinkedHashMap<>();
                        m.put("jpg", e.jpeg());
                        m.put("txt", s.text().getBytes(StandardCharsets.UTF_8));
                        Map<String, Object> meta = new LinkedHashMap<>();
                        meta.put("uid", s.uid());
                        meta.put("key", key);
                        meta.put("caption", s.text());
                        meta.put("status", "success");
                        meta.put("width", size);
                        meta.put("height", size);
                        meta.put("original_width", size);
                        meta.put("original_height", size);
                        m.put("json", Json.compact(meta).getBytes(StandardCharsets.UTF_8));
                        writer.write(key, m);
                    }
                    Map<String, Double> diag = new LinkedHashMap<>();
                    diag.put("caption_correct", s.captionCorrect());
                    diag.put("is_junk", s.junk() ? 1.0 : 0.0);
                    diag.put("is_corrupt", s.corrupt() ? 1.0 : 0.0);
                    diag.put("corruption_kind", (double) CORRUPTION_CODES.indexOf(s.corruption()));
                    diag.put("dup_group", (double) s.dupGroup());
                    diag.put("n_objects", (double) s.objectCount());
                    rows.add(new PoolMetadata.Row(Uid.parse(s.uid()), s.text(), size, size, s.trueQuality(), diag));
                    forStats.add(withoutScene(s));
                }
                p.update(end);
            }
        } finally {
            if (writer != null) {
                writer.close();
                shards = writer.shardsWritten();
            }
        }
        PoolMetadata.write(org.qqt.data.PoolLayout.metadata(dir), DIAGNOSTICS, rows);
        p.done();
        return new Part(shards, PoolStats.byDecile(forStats));
    }

    private static PoolSample withoutScene(PoolSample s) {
        return new PoolSample(s.index(), s.uid(), "", s.trueQuality(), s.captionCorrect(), s.mentions(), s.junk(),
                s.corruption(), s.dupGroup(), new Scene("", List.of(), false), s.jpegQuality());
    }

    private long writeTask(Path dir, EvalTasks tasks, SynthTaskSpec spec, ExecutorService pool) {
        Progress p = new Progress("task " + spec.key(), spec.size());
        try (TaskWriter w = spec.retrieval() ? TaskWriter.retrieval(dir, TaskWriter.DEFAULT_SHARD_SIZE)
                : TaskWriter.classification(dir, spec.classnames(), spec.templates(), TaskWriter.DEFAULT_SHARD_SIZE)) {
            for (int start = 0; start < spec.size(); start += BLOCK) {
                int end = Math.min(spec.size(), start + BLOCK);
                List<org.qqt.data.TaskSample> block = parallel(start, end, i -> {
                    SynthTaskSample s = tasks.sample(spec, i);
                    byte[] png = ImageCodec.encodePng(s.image());
                    return spec.retrieval() ? org.qqt.data.TaskSample.retrieval("png", png, s.captions())
                            : org.qqt.data.TaskSample.classification("png", png, s.label());
                }, pool);
                block.forEach(w::add);
                p.update(end);
            }
        }
        p.done();
        return spec.size();
    }

    /** f(start..end-1) computed on the pool in {@code threads} contiguous slices, returned in index order. */
    private <T> List<T> parallel(int start, int end, IntFunction<T> f, ExecutorService pool) {
        int n = end - start;
        int slices = Math.min(threads, n);
        List<Future<List<T>>> futures = new ArrayList<>();
        for (int k = 0; k < slices; k++) {
            int a = start + (int) ((long) n * k / slices);
            int b = start + (int) ((long) n * (k + 1) / slices);
            futures.add(pool.submit(() -> {
                List<T> out = new ArrayList<>(b - a);
                for (int i = a; i < b; i++) {
                    out.add(f.apply(i));
                }
                return out;
            }));
        }
        List<T> all = new ArrayList<>(n);
        for (Future<List<T>> fu : futures) {
            all.addAll(Futures.await(fu, "generating samples"));
        }
        return all;
    }

    /** Progress lines on stderr (every 2 s at most): done/total, samples/s, ETA. */
    private final class Progress {
        private final String what;
        private final int total;
        private final org.qqt.io.ProgressMeter meter;

        Progress(String what, int total) {
            this.what = what;
            this.total = total;
            this.meter = new org.qqt.io.ProgressMeter(total, 0, 2);
        }

        void update(int done) {
            if (progress == null || done >= total) {
                return;
            }
            String rate = meter.tick(done, false);
            if (rate != null) {
                progress.printf(Locale.ROOT, "qqt synth: %s %,d/%,d (%.1f%%), %s%n", what, done, total,
                        100.0 * done / total, rate);
            }
        }

        void done() {
            if (progress != null) {
                double s = meter.elapsedSeconds();
                progress.printf(Locale.ROOT, "qqt synth: %s: %,d in %.1f s (%,.0f samples/s)%n", what, total, s,
                        total / s);
            }
        }
    }
}
