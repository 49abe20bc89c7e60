package org.qqt.cli;

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
import org.qqt.io.SampleCount;
import org.qqt.synth.AttributeSpace;
import org.qqt.synth.PoolGenerator;
import org.qqt.synth.PoolSample;
import org.qqt.synth.PoolStats;
import org.qqt.synth.WorldConfig;
import org.qqt.synth.WorldWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt synth}: generate the synthetic world (pool, teacher set, 18 tasks) in DataComp's formats. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Generate the synthetic world: a DataComp-format pool with latent quality, a clean teacher "
                + "set, and 18 evaluation tasks in the CLIP_benchmark layout.",
        footer = {"", "Examples:",
                "  qqt synth --config configs/world-default.yaml --out datasets/synth --seed 0",
                "  qqt synth --config configs/world-tiny.yaml --out /tmp/tiny",
                "  qqt synth --out datasets/synth --pool-size 20k --metadata-only",
                "  qqt synth --stats-only --pool-size 50k     (per-decile quality table, writes nothing)"})
final class SynthCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "World config (YAML or JSON); missing keys take the defaults. Default: the built-in world "
                    + "(= configs/world-default.yaml).")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (e.g. datasets/synth).")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--pool-size", paramLabel = "N", description = "Override poolSize (e.g. 20k, 5e4).")
    String poolSize;

    @Option(names = "--image-size", paramLabel = "PX", description = "Override imageSize.")
    Integer imageSize;

    @Option(names = "--metadata-only", description = "Write only metadata.parquet files and world.json: no images.")
    boolean metadataOnly;

    @Option(names = "--stats-only", description = "Print the pool's per-decile quality statistics; write nothing.")
    boolean statsOnly;

    @Option(names = "--threads", defaultValue = "2", description = "Rendering threads (default: ${DEFAULT-VALUE}; "
            + "output does not depend on it).")
    int threads;

    @Override
    public void run() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        WorldConfig c = config == null ? WorldConfig.defaults() : WorldConfig.load(config);
        if (poolSize != null) {
            long n = SampleCount.parseBudget("--pool-size", poolSize); // at least 1
            if (n > Integer.MAX_VALUE) {
                throw new BadInputException("--pool-size must be below 2^31, got " + poolSize);
            }
            c = c.withPoolSize((int) n);
        }
        if (imageSize != null) {
            c = c.withImageSize(imageSize);
        }
        c = c.validated(config);
        Checks.positive("--threads", threads);
        PrintWriter o = spec.commandLine().getOut();
        if (statsOnly) {
            PoolGenerator g = new PoolGenerator(c, seed);
            List<PoolSample> samples = new ArrayList<>(c.poolSize());
            for (int i = 0; i < c.poolSize(); i++) {
                samples.add(g.pool(i));
            }
            AttributeSpace s = c.attributeSpace();
            o.printf(Locale.ROOT, "pool of %,d samples, seed %d; attribute space: %,d objects, %,d one-object scenes, "
                    + "10^%.1f scenes%n%n", c.poolSize(), seed, s.objects(), s.singleObjectScenes(), s.log10Scenes());
            o.print(PoolStats.markdown(PoolStats.byDecile(samples)));
            o.flush();
            return;
        }
        if (out == null) {
            throw new BadInputException("--out is required (e.g. --out datasets/synth), or use --stats-only");
        }
        WorldWriter.Summary sum = new WorldWriter(c, seed, threads, System.err).write(out, metadataOnly);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("out", out.toString());
        m.put("pool_samples", sum.poolSamples());
        m.put("pool_shards", sum.poolShards());
        m.put("teacher_samples", sum.teacherSamples());
        m.put("tasks", sum.tasks());
        m.put("task_images", sum.taskImages());
        m.put("seconds", Math.round(sum.seconds() * 10) / 10.0);
        m.put("pool_samples_per_second", Math.round(sum.poolSamplesPerSecond()));
        o.println(Json.compact(m));
        o.flush();
    }
}
