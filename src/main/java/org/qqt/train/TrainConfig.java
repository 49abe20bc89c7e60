package org.qqt.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.qqt.io.BadInputException;
import org.qqt.model.ModelConfig;

/**
 * Everything that determines a training run's result (written into run.json and every checkpoint; a resumed
 * run must match it). {@code checkpoint_every} is in steps (0: only at the end); {@code grad_clip} is the
 * maximum global gradient norm (0: off); {@code loss_block} is the row block of the blockwise loss (0: full);
 * {@code precision} the matrix products' precision ({@link Precision}; absent in older runs: fp32).
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
        @JsonProperty("precision") Precision precision) {

    public TrainConfig {
        precision = precision == null ? Precision.FP32 : precision;
    }

    /** open_clip's ViT defaults (β 0.9/0.98, ε 1e-6, wd 0.2), warmup 10% of the steps (≤ 500), no clipping. */
    public static TrainConfig defaults(ModelConfig model, long samplesSeen, int batch, double lr, long seed) {
        long warmup = Schedule.defaultWarmup(Schedule.steps(samplesSeen, batch));
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, 0.2, 0.9, 0.98, 1e-6, 0, 0, seed, 0,
                Precision.FP32);
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
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0)) {
            throw new BadInputException("AdamW needs 0 ≤ β1, β2 < 1 and ε > 0");
        }
    }

    public TrainConfig withWarmup(long w) {
        return new TrainConfig(model, samplesSeen, batch, lr, w, weightDecay, beta1, beta2, eps, gradClip, lossBlock,
                seed, checkpointEvery, precision);
    }

    public TrainConfig withWeightDecay(double wd) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, wd, beta1, beta2, eps, gradClip, lossBlock,
                seed, checkpointEvery, precision);
    }

    public TrainConfig withGradClip(double clip) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, weightDecay, beta1, beta2, eps, clip, lossBlock,
                seed, checkpointEvery, precision);
    }

    public TrainConfig withLossBlock(int block) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, weightDecay, beta1, beta2, eps, gradClip, block,
                seed, checkpointEvery, precision);
    }

    public TrainConfig withCheckpointEvery(long every) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, weightDecay, beta1, beta2, eps, gradClip,
                lossBlock, seed, every, precision);
    }

    public TrainConfig withPrecision(Precision p) {
        return new TrainConfig(model, samplesSeen, batch, lr, warmup, weightDecay, beta1, beta2, eps, gradClip,
                lossBlock, seed, checkpointEvery, p);
    }

    /** Equal in everything that changes the result (checkpoint frequency does not). */
    public boolean sameRunAs(TrainConfig o) {
        return withCheckpointEvery(0).equals(o.withCheckpointEvery(0));
    }
}
