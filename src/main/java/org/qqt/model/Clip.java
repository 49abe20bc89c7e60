package org.qqt.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.qqt.data.Batch;
import org.qqt.io.BadInputException;

/**
 * A CLIP model (Radford et al. 2021, as open_clip builds it): an image {@link VisionTransformer} and a causal
 * {@link TextTransformer} projected to a shared embedding, and a learnable logit scale initialised to ln(1/0.07).
 * The forward pass uses exp(min(logit_scale, ln 100)): the scale never exceeds 100, and above the clamp its
 * gradient is zero.
 *
 * <p>All parameters live in one {@link NDManager} on one device, owned by this object. Forward passes create
 * their arrays in the caller's (per-step) manager, so nothing accumulates in the model's manager.
 */
public final class Clip implements AutoCloseable {
    public static final double INIT_LOGIT_SCALE = Math.log(1 / 0.07);
    public static final double MAX_LOGIT_SCALE = Math.log(100);

    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final VisionTransformer visual;
    private final TextTransformer text;
    private final NDArray logitScale;

    /** A freshly initialised model: the same seed gives the same weights on any device. */
    public Clip(ModelConfig config, Device device, long seed) {
        this.config = config;
        this.manager = NDManager.newBaseManager(device);
        Params p = new Params(manager, seed);
        // creation order = state_dict order: text tower first, as open_clip's CLIP
        this.text = new TextTransformer(p, config);
        this.visual = new VisionTransformer(p, config);
        this.logitScale = p.constant("logit_scale", (float) INIT_LOGIT_SCALE);
        this.parameters = p.all();
    }

    public ModelConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** Every trainable array by open_clip state_dict name, in a fixed order. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** The two towers' features and the effective logit scale for one batch. */
    public record Features(NDArray image, NDArray text, NDArray scale) {}

    /** Forward pass of a batch; every array it creates belongs to {@code step}. */
    public Features forward(Batch batch, NDManager step) {
        return new Features(encodeImage(images(batch, step)), encodeText(batch.tokens(), batch.size(), step),
                scale(step));
    }

    /** Image features (B, embed_dim), not normalised. images: (B, 3, image_size, image_size). */
    public NDArray encodeImage(NDArray images) {
        return visual.forward(images);
    }

    /** Text features (B, embed_dim), not normalised, of {@code n} rows of context_length token ids. */
    public NDArray encodeText(int[] tokens, int n, NDManager step) {
        int t = config.contextLength();
        if (tokens.length != n * t) {
            throw new IllegalArgumentException("tokens: " + tokens.length + " ids for " + n + " rows of " + t);
        }
        long[] ids = new long[tokens.length];
        float[] eot = new float[tokens.length];
        for (int r = 0; r < n; r++) {
            int last = 0;
            for (int j = 0; j < t; j++) {
                int id = tokens[r * t + j];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new BadInputException("token id " + id + " outside the model's vocabulary (vocab_size "
                            + config.vocabSize() + "); use a model config whose vocab_size matches the tokenizer");
                }
                ids[r * t + j] = id;
                if (id != 0) {
                    last = j;
                }
            }
            eot[r * t + last] = 1f;
        }
        NDArray tok = step.create(ids, new Shape(n, t));
        NDArray oneHot = step.create(eot, new Shape(n, t));
        return text.forward(tok, oneHot);
    }

    /** exp(min(logit_scale, ln 100)) as a scalar array in {@code step}. */
    public NDArray scale(NDManager step) {
        return step.create((float) MAX_LOGIT_SCALE).minimum(logitScale).exp();
    }

    /** The raw logit_scale parameter. */
    public NDArray logitScale() {
        return logitScale;
    }

    /** The batch's images as a (B, 3, H, W) array in {@code step}. */
    public NDArray images(Batch batch, NDManager step) {
        if (batch.imageSize() != config.imageSize() || batch.contextLength() != config.contextLength()) {
            throw new IllegalArgumentException("batch of " + batch.imageSize() + "px images and context "
                    + batch.contextLength() + " does not fit model " + config.name() + " (" + config.imageSize()
                    + "px, context " + config.contextLength() + ")");
        }
        int s = batch.imageSize();
        return step.create(batch.images(), new Shape(batch.size(), 3, s, s));
    }

    @Override
    public void close() {
        manager.close();
    }
}
