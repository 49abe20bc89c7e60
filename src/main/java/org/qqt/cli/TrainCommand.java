package org.qqt.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qqt.data.BatchSource;
import org.qqt.data.SubsetFile;
import org.qqt.io.BadInputException;
import org.qqt.io.SampleCount;
import org.qqt.model.ModelConfig;
import org.qqt.train.DataInfo;
import org.qqt.train.DataSources;
import org.qqt.train.Precision;
import org.qqt.train.RandomBatchSource;
import org.qqt.train.TrainConfig;
import org.qqt.train.Trainer;
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

    @Option(names = "--samples-seen", required = true, paramLabel = "S", description = "Budget: samples seen (200k, 1.28e7).")
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

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|fp16|bf16",
            description = "Precision of the matrix products (default: ${DEFAULT-VALUE}). bf16 and fp16 run linear maps "
                    + "and attention in that type through TorchScript ops; weights, AdamW moments, LayerNorm, softmax "
                    + "and the loss stay fp32; fp16 scales the loss dynamically. bf16 needs a GPU of compute capability "
                    + "8.0+ or a CPU with avx512_bf16/amx_bf16; fp16 a GPU or a CPU with avx512_fp16/amx_fp16.")
    String precision;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial weights and the data order.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory, e.g. runs/NAME.")
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

    @Option(names = "--loader-threads", defaultValue = "1", paramLabel = "N",
            description = "Image decode threads of the shard loader (default: ${DEFAULT-VALUE}; batches are the same "
                    + "for any N).")
    int loaderThreads;

    @Override
    public void run() {
        ModelConfig m = ModelConfig.load(model);
        Precision p = Precision.parse(precision);
        Device dev = chooseDevice(device, threads);
        p.requireRunnableOn(dev); // before the pool is opened
        long budget = (long) SampleCount.parse(samplesSeen);
        if (loaderThreads < 1) {
            throw new BadInputException("--loader-threads must be at least 1 (got " + loaderThreads + ")");
        }
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
            prepared = DataSources.prepare(pool, subset, tokenizer, m, out);
            m = prepared.model();
            info = null;
        }
        TrainConfig base = TrainConfig.defaults(m, budget, batch, lr, seed);
        TrainConfig config = base.withWarmup(warmup == null ? base.warmup() : warmup).withWeightDecay(weightDecay)
                .withGradClip(gradClip).withLossBlock(lossBlock).withCheckpointEvery(checkpointEvery).withPrecision(p);
        config.validate();
        if (info != null && batch > info.poolSize()) {
            throw new BadInputException("--batch " + batch + " is larger than the subset (" + info.poolSize()
                    + " samples); lower --batch");
        }
        List<Long> keep = new ArrayList<>();
        for (String k : keepAt) {
            keep.add((long) SampleCount.parse(k));
        }
        Trainer trainer = new Trainer(config, out, dev, System.err, keep);
        Trainer.Outcome done = trainer.alreadyDone();
        if (done != null) {
            report(done);
            return;
        }
        BatchSource source;
        if (prepared == null) {
            source = openSource(m, config, info);
        } else {
            String name = poolName != null ? poolName : subset.getFileName().toString().replaceFirst("\\.npy$", "");
            DataSources.Opened opened = prepared.open(seed, batch, loaderThreads, name, pool);
            if (opened.warning() != null) {
                spec.commandLine().getErr().println(opened.warning());
                spec.commandLine().getErr().flush();
            }
            prepared.saveVocab(out);
            source = opened.loader();
            info = opened.info();
        }
        try (BatchSource s = source) {
            report(trainer.run(s, info));
        }
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
}
