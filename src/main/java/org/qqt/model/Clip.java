package org.qqt.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.qqt.data.Batch;
import org.qqt.io.BadInputException;

/**
 * A CLIP model (Radford et al. 2021, as open_clip builds it): an image {@link VisionTransformer} and a causal
 * {@link TextTransformer} projected to a shared embedding, and a learnable logit scale initialised to ln(1/0.07).
 * The forward pass uses exp(min(logit_scale, ln 100)): the scale never exceeds 100, and above the clamp its
 * gradient is zero.
 *
 * <p>Not thread-safe. All parameters live in one {@link NDManager} on one device, owned by this object. Forward passes create
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
    private final MatmulOps ops;
    /** Reused host-to-libtorch staging buffer (see {@link #upload}); makes this class not thread-safe. */
    private ByteBuffer staging = ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());

    /** A freshly initialised fp32 model: the same seed gives the same weights on any device. */
    public Clip(ModelConfig config, Device device, long seed) {
        this(config, device, seed, MatmulPrecision.FP32);
    }

    /**
     * A freshly initialised model whose matrix products run in {@code precision} (weights, LayerNorm, softmax
     * inputs and the logit scale stay fp32; see {@link MatmulOps}).
     */
    public Clip(ModelConfig config, Device device, long seed, MatmulPrecision precision) {
        this(config, device, seed, MatmulOps.of(precision, device));
    }

    /** A freshly initialised model using (and owning) {@code ops} for its matrix products. */
    public Clip(ModelConfig config, Device device, long seed, MatmulOps ops) {
        this.config = config;
        this.ops = ops;
        this.manager = NDManager.newBaseManager(device);
        Params p = new Params(manager, seed);
        // a fixed creation order (text tower, image tower, logit scale) is the order of parameters() and checkpoints
        this.text = new TextTransformer(p, config, ops);
        this.visual = new VisionTransformer(p, config, ops);
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
        NDArray tok = upload(step, ids, new Shape(n, t));
        NDArray oneHot = upload(step, eot, new Shape(n, t));
        return text.forward(tok, oneHot);
    }

    /** exp(min(logit_scale, ln 100)) as a scalar array in {@code step}. */
    public NDArray scale(NDManager step) {
        return Scalars.of(step, (float) MAX_LOGIT_SCALE).minimum(logitScale).exp();
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
        return images(batch.images(), 0, batch.size(), step);
    }

    /**
     * Images {@code first .. first+n} of {@code pixels} (float CHW at the model's image_size, laid out as
     * {@link Batch#images()}) as a (n, 3, H, W) array in {@code step}; nothing is copied on the Java heap.
     */
    public NDArray images(float[] pixels, int first, int n, NDManager step) {
        int s = config.imageSize();
        int per = 3 * s * s;
        return upload(step, pixels, first * per, n * per, new Shape(n, 3, s, s));
    }

    /*
     * Host data enters libtorch through one reused direct buffer. NDManager.create(float[]) would allocate a
     * fresh direct ByteBuffer per call, which the tensor keeps alive and only the Java GC frees: with a large
     * heap and little Java garbage, megabytes per step pile up outside the heap (measured: RSS 0.7 -> 2.8 GB
     * over 900 steps of the tiny model at batch 256). The staged array is copied into a tensor libtorch owns,
     * so the buffer can be reused at once.
     */
    private ByteBuffer staging(long bytes) {
        if (staging.capacity() < bytes) {
            staging = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
        }
        staging.clear().limit(Math.toIntExact(bytes));
        return staging;
    }

    private NDArray upload(NDManager step, float[] values, Shape shape) {
        return upload(step, values, 0, values.length, shape);
    }

    private NDArray upload(NDManager step, float[] values, int offset, int length, Shape shape) {
        ByteBuffer b = staging(4L * length);
        b.asFloatBuffer().put(values, offset, length);
        try (NDArray staged = step.create(b, shape, DataType.FLOAT32)) {
            return staged.duplicate();
        }
    }

    private NDArray upload(NDManager step, long[] values, Shape shape) {
        ByteBuffer b = staging(8L * values.length);
        b.asLongBuffer().put(values);
        try (NDArray staged = step.create(b, shape, DataType.INT64)) {
            return staged.duplicate();
        }
    }

    @Override
    public void close() {
        manager.close();
        ops.close();
    }
}
