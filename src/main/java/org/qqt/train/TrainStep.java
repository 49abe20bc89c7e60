package org.qqt.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.qqt.data.Batch;
import org.qqt.model.Clip;
import org.qqt.model.Scalars;

/**
 * One optimisation step: forward, contrastive loss, backward, global-norm clip, AdamW update. Every array of the
 * step lives in a sub-manager freed at the end.
 *
 * <p><b>Exact accumulation</b> ({@code micro_batch} m &lt; batch n; the feature cache of GradCache, Gao et al.
 * 2021, as open_clip's {@code --accum-freq}). The loss couples all n pairs, so micro-batch losses cannot simply be
 * summed. Instead:
 * <ol>
 *   <li>each micro-batch is encoded without autograd; only its image and text features are kept (n×d each);
 *   <li>the n×n loss ({@link ContrastiveLoss#full} or, with {@code loss_block}, {@link ContrastiveLoss#blockwise})
 *       is differentiated with respect to those features; its backward also puts dL/dlogit_scale into the
 *       logit scale's gradient, once;
 *   <li>each micro-batch is encoded again with autograd and backpropagates Σ features ⊙ (its slice of dL/dfeatures):
 *       libtorch adds every backward pass into the parameters' gradients, so after the last micro-batch they are
 *       the full batch's gradients (up to rounding: the same sums in another order);
 *   <li>one optimiser step.
 * </ol>
 * The model has no dropout and no batch statistics, so both encodings of a micro-batch are the same function.
 * Memory: one micro-batch's activations plus the n×d features; compute: one extra forward pass.
 *
 * <p><b>Lean step.</b> Unless {@code observe} is set, nothing is read back to the host (on a GPU the step's ops
 * queue without a synchronisation): the loss and the logit scale are not read, and the gradient norm is not even
 * computed unless clipping or fp16's loss scaling needs it. Then non-finite values are only noticed at the next
 * observed step.
 *
 * <p><b>Loss scaling</b> (fp16, {@link LossScaler}): the loss is multiplied by the scale before the backward pass
 * (with micro-batches, the feature gradient carries the scale into every micro-batch's pass); the gradient norm is
 * divided by it, and AdamW divides the gradients by it through its rescale factor. A step whose gradients are not
 * finite is skipped: gradients zeroed, the scale backed off, the batch consumed.
 */
final class TrainStep {
    private TrainStep() {}

    /**
     * What a step measured: loss, effective logit scale, gradient norm before clipping; NaN where not read.
     * {@code bad}: a value that was read is not finite (then nothing was updated); {@code skipped}: fp16 gradients
     * overflowed and the loss scaler skipped the update (the step still counts: its batch is consumed, as torch's
     * GradScaler does).
     */
    record Result(double loss, double scale, double gradNorm, boolean bad, boolean skipped) {}

    static Result run(Clip model, AdamW optimizer, TrainConfig config, Batch batch, double lr, StepPhases phases,
            boolean observe, LossScaler scaler) {
        checkFits(batch, model);
        double loss = Double.NaN;
        double scale = Double.NaN;
        double lossScale = scaler.scale();
        phases.begin();
        try (NDManager tmp = model.manager().newSubManager()) {
            NDArray[] lossAndScale = backward(model, config, batch, tmp, phases, (float) lossScale);
            if (observe) {
                loss = lossAndScale[0].getFloat();
                scale = lossAndScale[1].getFloat();
            }
        }
        boolean normRead = observe || config.gradClip() > 0 || scaler.enabled();
        double gradNorm = normRead ? optimizer.gradientNorm() / lossScale : Double.NaN;
        phases.end(StepPhases.GRAD_NORM);
        boolean lossBad = observe && !Double.isFinite(loss);
        if (!lossBad && !scaler.update(Double.isFinite(gradNorm))) { // overflowed fp16 gradients: skip the step
            optimizer.zeroGradients();
            return new Result(loss, scale, gradNorm, false, true);
        }
        if (lossBad || normRead && !Double.isFinite(gradNorm)) {
            optimizer.zeroGradients();
            return new Result(loss, scale, gradNorm, true, false);
        }
        double clip = config.gradClip() > 0 && gradNorm > config.gradClip() ? config.gradClip() / (gradNorm + 1e-6) : 1;
        optimizer.step(lr, clip / lossScale); // unscales (and clips) the gradients, then zeroes them
        phases.end(StepPhases.OPTIMIZER);
        return new Result(loss, scale, gradNorm, false, false);
    }

    /**
     * Forward and backward passes of the whole batch, whole or by micro-batches: adds the batch's gradients to the
     * parameters' and returns the loss and the effective logit scale (arrays in {@code tmp}). The backward pass is
     * of the loss times {@code lossScale} (fp16's loss scaling; 1: unscaled).
     */
    static NDArray[] backward(Clip model, TrainConfig config, Batch batch, NDManager tmp, StepPhases phases,
            float lossScale) {
        return config.microBatchOrBatch() < batch.size()
                ? cached(model, config, batch, tmp, phases, lossScale)
                : whole(model, config, batch, tmp, phases, lossScale);
    }

    /** The loss's backward target, times the loss scale unless it is 1. */
    private static NDArray scaled(NDArray target, float lossScale, NDManager tmp) {
        return lossScale == 1f ? target : target.mul(Scalars.of(tmp, lossScale));
    }

    /** The whole batch in one forward and one backward pass; returns the loss and the scale arrays. */
    private static NDArray[] whole(Clip model, TrainConfig config, Batch batch, NDManager tmp, StepPhases phases,
            float lossScale) {
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            Encoded f = encode(model, batch, 0, batch.size(), tmp, phases);
            NDArray scale = model.scale(tmp);
            ContrastiveLoss.Result r = loss(f.image(), f.text(), scale, config);
            phases.end(StepPhases.LOSS);
            tape.backward(scaled(r.backwardTarget(), lossScale, tmp));
            phases.end(StepPhases.BACKWARD);
            return new NDArray[] {r.loss(), scale};
        }
    }

    /** The feature cache (class comment); returns the loss and the scale arrays. */
    private static NDArray[] cached(Clip model, TrainConfig config, Batch batch, NDManager tmp, StepPhases phases,
            float lossScale) {
        int n = batch.size();
        int m = config.microBatchOrBatch();
        // 1. features of every micro-batch, without autograd (the engine records no graph outside a collector)
        NDList images = new NDList();
        NDList texts = new NDList();
        for (int first = 0; first < n; first += m) {
            try (NDManager micro = tmp.newSubManager()) {
                Encoded f = encode(model, batch, first, m, micro, phases);
                f.image().attach(tmp);
                f.text().attach(tmp);
                images.add(f.image());
                texts.add(f.text());
            }
        }
        NDArray image = NDArrays.concat(images, 0);
        NDArray text = NDArrays.concat(texts, 0);
        images.close();
        texts.close();
        image.setRequiresGradient(true);
        text.setRequiresGradient(true);
        // 2. the n×n loss and its gradient with respect to all features (and the logit scale's, once)
        NDArray scale;
        ContrastiveLoss.Result r;
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            scale = model.scale(tmp);
            r = loss(image, text, scale, config);
            phases.end(StepPhases.LOSS);
            tape.backward(scaled(r.backwardTarget(), lossScale, tmp));
        }
        NDArray gradImage = image.getGradient();
        NDArray gradText = text.getGradient();
        phases.end(StepPhases.BACKWARD);
        // 3. each micro-batch again, with autograd, backpropagating its slice of the feature gradient
        for (int first = 0; first < n; first += m) {
            try (NDManager micro = tmp.newSubManager();
                 GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                Encoded f = encode(model, batch, first, m, micro, phases);
                String rows = first + ":" + (first + m);
                NDArray surrogate = f.image().mul(gradImage.get(rows)).sum()
                        .add(f.text().mul(gradText.get(rows)).sum());
                tape.backward(surrogate);
                phases.end(StepPhases.BACKWARD);
            }
        }
        return new NDArray[] {r.loss(), scale.stopGradient()};
    }

    /** Image and text features of a range of samples (the logit scale is taken once per step, not per encoding). */
    private record Encoded(NDArray image, NDArray text) {}

    /** Features of samples {@code first .. first+n} of {@code batch}, staged to the device per call. */
    private static Encoded encode(Clip model, Batch batch, int first, int n, NDManager step, StepPhases phases) {
        NDArray image = model.encodeImage(batch.pixels() != null
                ? model.images(batch.pixels(), first, n, step) // uint8, normalised on the device
                : model.images(batch.images(), first, n, step)); // synthetic, already normalised
        phases.end(StepPhases.IMAGE_FORWARD);
        NDArray text = model.encodeText(model.tokens(batch.tokens(), first, n, step));
        phases.end(StepPhases.TEXT_FORWARD);
        return new Encoded(image, text);
    }

    private static ContrastiveLoss.Result loss(NDArray image, NDArray text, NDArray scale, TrainConfig config) {
        return config.lossBlock() > 0
                ? ContrastiveLoss.blockwise(image, text, scale, config.lossBlock())
                : ContrastiveLoss.full(image, text, scale);
    }

    /** The batch must match the model's image size and context length. */
    static void checkFits(Batch batch, Clip model) {
        var c = model.config();
        if (batch.imageSize() != c.imageSize() || batch.contextLength() != c.contextLength()) {
            throw new IllegalArgumentException("batch of " + batch.imageSize() + "px images and context "
                    + batch.contextLength() + " does not fit model " + c.name() + " (" + c.imageSize()
                    + "px, context " + c.contextLength() + ")");
        }
    }
}
