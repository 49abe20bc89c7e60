package org.qqt.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.data.BatchSource;
import org.qqt.data.LoaderOptions;
import org.qqt.data.SubsetFile;
import org.qqt.io.BadInputException;
import org.qqt.io.Checks;
import org.qqt.io.DirLock;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.model.ModelConfig;
import org.qqt.train.DataInfo;
import org.qqt.train.DataSources;
import org.qqt.train.MemoryEstimate;
import org.qqt.train.Precision;
import org.qqt.train.RandomBatchSource;
import org.qqt.train.TrainConfig;
import org.qqt.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt train}: one contrastive training run on a pool subset; resumable, idempotent. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a CLIP model on a subset of a pool for a budget of samples seen. Started again with "
                + "the same options, a killed run resumes from its last checkpoint; a finished run does nothing.",
        footer = {"", "Examples:",
                "  qqt train --pool datasets/world --subset datasets/world/subsets/top10.npy --model models/tiny.json "
                        + "--samples-seen 200k --batch 256 --lr 3e-3 --seed 0 --out runs/top10-200k",
                "  qqt train --data random --model models/tiny.json --samples-seen 20k --batch 128 --out runs/smoke"})
final class TrainCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    enum DataKind { shards, random }

    enum DeviceChoice { auto, cpu, gpu }

    @Option(names = "--data", defaultValue = "shards",
            description = "shards (default: the pool's webdataset shards) or random (test mode: synthetic batches).")
    DataKind data;

    @Option(names = "--pool", paramLabel = "DIR", description = "Pool directory (DataComp layout).")
    Path pool;

    @Option(names = "--subset", paramLabel = "FILE.npy", description = "Subset file (.npy, dtype u8,u8 uids).")
    Path subset;

    @Option(names = "--pool-name", description = "Name recorded in run.json for qqt fit (default: the subset's "
            + "file name without .npy).")
    String poolName;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model config, e.g. models/tiny.json.")
    Path model;

    @Option(names = "--samples-seen", paramLabel = "S", description = "Budget: samples seen (200k, 1.28e7); required "
            + "unless --plan.")
    String samplesSeen;

    @Option(names = "--batch", defaultValue = "256", description = "Global batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "5e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}, "
            + "open_clip's; tiny models need about 3e-3).")
    double lr;

    @Option(names = "--warmup", paramLabel = "STEPS", description = "Warmup steps (default: 10%% of the steps, at most 500).")
    Long warmup;

    @Option(names = "--wd", defaultValue = "0.2", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--grad-clip", defaultValue = "0", paramLabel = "NORM",
            description = "Clip the global gradient norm to NORM (default: 0 = off).")
    double gradClip;

    @Option(names = "--loss-block", defaultValue = "0", paramLabel = "ROWS",
            description = "Blockwise loss holding ROWS rows of the n×n logits at a time (default: 0 = full matrix).")
    int lossBlock;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial weights and the data order.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory, e.g. runs/NAME; required unless --plan.")
    Path out;

    @Option(names = "--device", defaultValue = "auto", description = "auto (default: CUDA when present), cpu or gpu.")
    DeviceChoice device;

    @Option(names = "--threads", defaultValue = "0",
            description = "libtorch intra-op threads (default: 0 = libtorch's choice, one per core).")
    int threads;

    @Option(names = "--checkpoint-every", defaultValue = "500", paramLabel = "STEPS",
            description = "Checkpoint every STEPS steps and at the end (default: ${DEFAULT-VALUE}; 0 = only at the end).")
    long checkpointEvery;

    @Option(names = "--keep-at", split = ",", paramLabel = "S",
            description = "Also keep model-only checkpoints checkpoints/samples-<N>.safetensors at these sample counts "
                    + "(25k,50k,100k): N is the exact count at the end of the step that reaches or crosses each; "
                    + "listed in run.json \"kept\"; evaluate one with qqt eval --checkpoint.")
    List<String> keepAt = new ArrayList<>();

    @Option(names = "--random-pool-size", defaultValue = "10000", hidden = true,
            description = "--data random: samples per synthetic epoch.")
    long randomPoolSize;

    @Option(names = "--tokenizer", paramLabel = "clip|compact",
            description = "Token ids of the captions: compact (CLIP's ids used by the subset's captions, renumbered; "
                    + "saved as <out>/vocab.json) or clip (all 49408). Default: compact when the model's vocab_size "
                    + "is below 49408, else clip.")
    DataSources.TokenizerKind tokenizer;

    @Option(names = "--loader-threads", defaultValue = "0", paramLabel = "N",
            description = "Image decode threads of the shard loader (default: 0 = the cores the job has: "
                    + "SLURM_CPUS_PER_TASK, else all; batches are the same for any N).")
    int loaderThreads;

    @Option(names = "--vocab", paramLabel = "FILE",
            description = "Compact vocabulary to use (a sweep's vocab.json: one for all its runs and its teacher) "
                    + "instead of building one from the subset's captions; copied to <out>/vocab.json. Not read "
                    + "with the CLIP tokenizer.")
    Path vocab;

    @Option(names = "--micro-batch", defaultValue = "0", paramLabel = "M",
            description = "Samples per forward pass; the gradient is still exactly the whole batch's (feature cache, "
                    + "one optimiser step per batch). Must divide --batch (default: 0 = the whole batch).")
    int microBatch;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|fp16|bf16",
            converter = PrecisionConverter.class,
            description = "Precision of the matrix products (default: ${DEFAULT-VALUE}). bf16 and fp16 run linear maps "
                    + "and attention in that type through TorchScript ops; weights, AdamW moments, LayerNorm, softmax "
                    + "and the loss stay fp32; fp16 scales the loss dynamically. bf16 needs a GPU of compute capability "
                    + "8.0+ or a CPU with avx512_bf16/amx_bf16; fp16 a GPU or a CPU with avx512_fp16/amx_fp16.")
    Precision precision;

    @Option(names = "--log-every", defaultValue = "1", paramLabel = "STEPS",
            description = "Read loss and gradient norm back to the host (and write a metrics.jsonl line) every STEPS "
                    + "steps, and at checkpoints (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--plan", description = "Print the memory plan (model, precision, batch, micro-batch) and exit; "
            + "nothing is opened or allocated.")
    boolean plan;

    @Option(names = "--device-memory", paramLabel = "BYTES",
            description = "Plan for a device with this much memory (80G, 40G; decimal) instead of the one here.")
    String deviceMemory;

    @Option(names = "--format", defaultValue = "table", description = "--plan output: table or json (default: "
            + "${DEFAULT-VALUE}).")
    OutputFormat format;

    @Override
    public void run() {
        ModelConfig m = ModelConfig.load(model);
        if (!plan && (samplesSeen == null || out == null)) {
            throw new BadInputException("--samples-seen and --out are required (only --plan goes without them)");
        }
        long budget = samplesSeen == null ? batch : SampleCount.parseBudget("--samples-seen", samplesSeen);
        checkOptions();
        if (plan) {
            planMemory(m, budget);
            return;
        }
        // before the engine loads; temp files a killed run left in checkpoints/ and shard-index/ are removed
        try (DirLock lock = DirLock.acquire(out, "qqt train", "checkpoints", DataSources.INDEX_CACHE_DIR)) {
            planMemory(m, budget); // a plan over the device's memory is exit 2 before anything is opened
            train(m, budget);
        }
    }

    /** Option values the run would otherwise fail on later, or silently misuse. */
    private void checkOptions() {
        Checks.notNegative("--loader-threads", loaderThreads);
        Checks.positive("--batch", batch);
        Checks.notNegative("--micro-batch", microBatch);
        Checks.positive("--log-every", logEvery);
        Checks.notNegative("--threads", threads);
        Checks.finite("--lr", lr);
        Checks.finiteNotNegative("--wd", weightDecay);
        Checks.finiteNotNegative("--grad-clip", gradClip);
        Checks.notNegative("--loss-block", lossBlock);
        Checks.notNegative("--checkpoint-every", checkpointEvery);
        if (warmup != null) {
            Checks.notNegative("--warmup", warmup);
        }
        Checks.positive("--random-pool-size", randomPoolSize);
        if (out != null) {
            Checks.outputDir("--out", out);
        }
        if (data == DataKind.random && (pool != null || subset != null)) {
            throw new BadInputException("--data random trains on synthetic batches and ignores --pool and --subset; "
                    + "drop them, or drop --data random to train on the subset");
        }
        if (subset != null) {
            Checks.file("--subset", subset);
        }
    }

    private void train(ModelConfig m, long budget) {
        Device dev = chooseDevice(device, threads);
        precision.requireRunnableOn(dev); // before the pool is opened
        DataSources.Prepared prepared = null;
        DataInfo info;
        if (data == DataKind.random) {
            String name = poolName != null ? poolName : "random";
            info = new DataInfo("random", null, null, name, randomPoolSize);
        } else {
            if (pool == null || subset == null) {
                throw new BadInputException("--pool and --subset are required (or --data random for the test mode)");
            }
            long rows = subsetRows(subset);
            if (batch > rows) {
                throw new BadInputException("--batch " + batch + " is larger than the subset (" + rows
                        + " samples in " + subset + "); lower --batch");
            }
            prepared = DataSources.prepare(pool, subset, tokenizer, m, out, vocab);
            m = prepared.model();
            info = null;
        }
        TrainConfig base = TrainConfig.defaults(m, budget, batch, lr, seed);
        TrainConfig config = base.withWarmup(warmup == null ? base.warmup() : warmup).withWeightDecay(weightDecay)
                .withGradClip(gradClip).withLossBlock(lossBlock).withCheckpointEvery(checkpointEvery)
                .withMicroBatch(microBatch).withPrecision(precision).withLogEvery(logEvery);
        config.validate();
        if (info != null && batch > info.poolSize()) {
            throw new BadInputException("--batch " + batch + " is larger than the subset (" + info.poolSize()
                    + " samples); lower --batch");
        }
        List<Long> keep = new ArrayList<>();
        for (String k : keepAt) {
            keep.add(SampleCount.parseBudget("--keep-at", k));
        }
        Trainer trainer = new Trainer(config, out, dev, System.err, keep);
        Trainer.Outcome done = trainer.alreadyDone();
        if (done != null) {
            report(done);
            return;
        }
        if (prepared != null) {
            String name = poolName != null ? poolName : subset.getFileName().toString().replaceFirst("\\.npy$", "");
            int threads = loaderThreads > 0 ? loaderThreads : LoaderOptions.defaultThreads();
            report(prepared.train(trainer, seed, batch, threads, name, pool, out, line -> {
                spec.commandLine().getErr().println(line);
                spec.commandLine().getErr().flush();
            }));
            return;
        }
        try (BatchSource s = openSource(m, config, info)) {
            report(trainer.run(s, info));
        }
    }

    /**
     * The memory plan, before the loader opens or anything is allocated: printed with --plan; otherwise a plan over
     * the device's memory (or --device-memory) is exit 2.
     */
    private void planMemory(ModelConfig m, long budget) {
        TrainConfig c = TrainConfig.defaults(m, budget, batch, lr, seed).withLossBlock(lossBlock)
                .withMicroBatch(microBatch).withPrecision(precision).withLogEvery(logEvery);
        c.validate();
        MemoryEstimate e = MemoryEstimate.of(c);
        long memory;
        String where;
        if (deviceMemory != null) {
            memory = (long) SampleCount.parse(deviceMemory);
            where = "--device-memory is";
        } else {
            Device dev = chooseDevice(device, threads);
            memory = MemoryEstimate.available(dev);
            where = dev + " has";
        }
        if (plan) {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, Object> p = e.toMap(memory);
            if (format == OutputFormat.json) {
                out.println(Json.compact(p));
            } else {
                p.forEach((k, v) -> out.printf(Locale.ROOT, "%-20s %s%n", k,
                        k.endsWith("_bytes") ? String.format(Locale.ROOT, "%.2f GB", ((Long) v) / 1e9) : v));
            }
            out.flush();
            return;
        }
        e.check(memory, where);
    }

    private void report(Trainer.Outcome o) {
        spec.commandLine().getOut().printf("%s: %d steps, final loss %.4f%s%n", out, o.steps(), o.finalLoss(),
                o.alreadyDone() ? " (already done)" : "");
        spec.commandLine().getOut().flush();
    }

    /** The batch stream of the test mode {@code --data random} (shards are opened through {@link DataSources}). */
    static BatchSource openSource(ModelConfig m, TrainConfig config, DataInfo info) {
        return new RandomBatchSource(config.seed(), config.batch(), m.imageSize(), m.contextLength(),
                m.vocabSize(), info.poolSize());
    }

    /** The device to run on; loads the engine first, then sets libtorch's intra-op threads when threads > 0. */
    static Device chooseDevice(DeviceChoice choice, int threads) {
        Device dev = chooseDevice(choice);
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
        }
        return dev;
    }

    static Device chooseDevice(DeviceChoice choice) {
        int gpus = Engine.getInstance().getGpuCount();
        return switch (choice) {
            case cpu -> Device.cpu();
            case auto -> gpus > 0 ? Device.gpu() : Device.cpu();
            case gpu -> {
                if (gpus == 0) {
                    throw new BadInputException("--device gpu: no CUDA GPU is visible to libtorch; build with "
                            + "`mvn -B -Pcuda package -DskipTests` and check the NVIDIA driver, or use --device cpu");
                }
                yield Device.gpu();
            }
        };
    }

    /** Rows of a DataComp subset file (.npy with dtype u8,u8, or a raw memmap of 16-byte rows). */
    static long subsetRows(Path file) {
        long rows = SubsetFile.count(file);
        if (rows == 0) {
            throw BadInputException.inFile(file, "subset is empty");
        }
        return rows;
    }

    /** fp32, fp16 or bf16, in lower case as the configs write them; anything else says what is accepted. */
    static final class PrecisionConverter implements CommandLine.ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            try {
                return Precision.parse(value);
            } catch (BadInputException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
