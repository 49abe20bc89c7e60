package org.qqt.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.qqt.io.BadInputException;
import org.qqt.model.ModelConfig;

/**
 * Everything that determines a training run's result (written into run.json and every checkpoint; a resumed
 * run must match it). {@code checkpoint_every} is in steps (0: only at the end); {@code grad_clip} is the
 * maximum global gradient norm (0: off); {@code loss_block} is the row block of the blockwise loss (0: full);
 * {@code micro_batch} the samples per forward pass of the exact gradient accumulation (0: the whole batch; see
 * {@link TrainStep}); {@code precision} the arithmetic of the matmuls ({@link Precision}); {@code log_every}
 * the period in steps at which loss and gradient norm are read back to the host (and written to metrics.jsonl).
 */
public record TrainConfig(
        @JsonProperty("model") ModelConfig model,
        @JsonProperty("samples_seen") long samplesSeen,
        @JsonProperty("batch") int batch,
        @JsonProperty("lr") double lr,
        @JsonProperty("warmup") long warmup,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("beta1") double beta1,
        @JsonProperty("beta2") double beta2,
        @JsonProperty("eps") double eps,
        @JsonProperty("grad_clip") double gradClip,
        @JsonProperty("loss_block") int lossBlock,
        @JsonProperty("seed") long seed,
        @JsonProperty("checkpoint_every") long checkpointEvery,
        @JsonProperty("micro_batch") int microBatch,
        @JsonProperty("precision") Precision precision,
        @JsonProperty("log_every") int logEvery) {

    /** Older run.json and checkpoints have no micro_batch, precision or log_every: whole batch, fp32, every step. */
    public TrainConfig {
        precision = precision == null ? Precision.FP32 : precision;
        logEvery = logEvery == 0 ? 1 : logEvery;
    }

    /** Default global batch size of a run (qqt train --batch). */
    public static final int DEFAULT_BATCH = 256;
    /** Default peak learning rate, open_clip's (qqt train --lr). */
    public static final double DEFAULT_LR = 5e-4;

    /** open_clip's ViT defaults (β 0.9/0.98, ε 1e-6, wd 0.2), warmup 10% of the steps (≤ 500), no clipping. */
    public static TrainConfig defaults(ModelConfig model, long samplesSeen, int batch, double lr, long seed) {
        long warmup = Schedule.defaultWarmup(Schedule.steps(samplesSeen, batch));
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, 0.2, 0.9, 0.98, 1e-6, 0, 0, seed, 0, 0,
                Precision.FP32, 1);
    }

    public long steps() {
        return Schedule.steps(samplesSeen, batch);
    }

    /** Throws a one-line {@link BadInputException} naming the option to fix. */
    public void validate() {
        if (batch < 2) {
            throw new BadInputException("--batch must be ≥ 2 (a contrastive batch needs negatives), got " + batch);
        }
        if (samplesSeen < batch) {
            throw new BadInputException("--samples-seen " + samplesSeen + " is smaller than one batch of " + batch
                    + "; raise the budget or lower --batch");
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new BadInputException("--lr must be > 0, got " + lr);
        }
        if (warmup < 0 || weightDecay < 0 || gradClip < 0 || lossBlock < 0 || checkpointEvery < 0) {
            throw new BadInputException("--warmup, --wd, --grad-clip, --loss-block and --checkpoint-every must be ≥ 0");
        }
        if (microBatch < 0 || microBatch > 0 && batch % microBatch != 0) {
            throw new BadInputException("--micro-batch " + microBatch + " must divide --batch " + batch
                    + " (e.g. " + divisorNear(batch, microBatch) + "), or be 0 for the whole batch");
        }
        if (logEvery < 1) {
            throw new BadInputException("--log-every must be ≥ 1, got " + logEvery);
        }
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0)) {
            throw new BadInputException("AdamW needs 0 ≤ β1, β2 < 1 and ε > 0");
        }
    }

    /** Samples per forward pass: {@code micro_batch}, or the whole batch when it is 0. */
    public int microBatchOrBatch() {
        return microBatch == 0 ? batch : microBatch;
    }

    /** The largest divisor of {@code batch} not above {@code m} (at least 1). */
    static int divisorNear(int batch, int m) {
        for (int d = Math.max(1, Math.min(m, batch)); d > 1; d--) {
            if (batch % d == 0) {
                return d;
            }
        }
        return 1;
    }

    public TrainConfig withMicroBatch(int m) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, weightDecay, beta1, beta2, eps, gradClip,
                lossBlock, seed, checkpointEvery, m, precision, logEvery);
    }

    public TrainConfig withPrecision(Precision p) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, weightDecay, beta1, beta2, eps, gradClip,
                lossBlock, seed, checkpointEvery, microBatch, p, logEvery);
    }

    public TrainConfig withLogEvery(int every) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, weightDecay, beta1, beta2, eps, gradClip,
                lossBlock, seed, checkpointEvery, microBatch, precision, every);
    }

    public TrainConfig withWarmup(long w) {
        return new TrainConfig(model, samplesSeen, batch, lr, w, weightDecay, beta1, beta2, eps, gradClip, lossBlock,
                seed, checkpointEvery, microBatch, precision, logEvery);
    }

    public TrainConfig withWeightDecay(double wd) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, wd, beta1, beta2, eps, gradClip, lossBlock,
                seed, checkpointEvery, microBatch, precision, logEvery);
    }

    public TrainConfig withGradClip(double clip) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, weightDecay, beta1, beta2, eps, clip, lossBlock,
                seed, checkpointEvery, microBatch, precision, logEvery);
    }

    public TrainConfig withLossBlock(int block) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, weightDecay, beta1, beta2, eps, gradClip, block,
                seed, checkpointEvery, microBatch, precision, logEvery);
    }

    public TrainConfig withCheckpointEvery(long every) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, weightDecay, beta1, beta2, eps, gradClip,
                lossBlock, seed, every, microBatch, precision, logEvery);
    }

    /**
     * Equal in everything that changes the result (checkpoint and log frequency do not; the micro-batch changes
     * only the rounding, but a bitwise resume needs the same one).
     */
    public boolean sameRunAs(TrainConfig o) {
        return withCheckpointEvery(0).withLogEvery(1).equals(o.withCheckpointEvery(0).withLogEvery(1));
    }
}
