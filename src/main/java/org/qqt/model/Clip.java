package org.qqt.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.qqt.data.ClipImageTransform;
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
    /** Device constants of the pixel normalisation: 255 (0-d), mean and std (1, 3, 1, 1); fp32, not parameters. */
    private final NDArray pixelScale;
    private final NDArray pixelMean;
    private final NDArray pixelStd;
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
        this.pixelScale = manager.full(new Shape(), 255f);
        this.pixelMean = upload(manager, ClipImageTransform.MEAN, new Shape(1, 3, 1, 1));
        this.pixelStd = upload(manager, ClipImageTransform.STD, new Shape(1, 3, 1, 1));
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

    /**
     * Token rows on the device: {@code ids} (B, context_length) int64 and {@code eot} (B, context_length), 1 at
     * each row's last non-zero id (the EOT token, whose features the text tower pools), else 0.
     */
    public record Tokens(NDArray ids, NDArray eot) {}

    /**
     * Forward pass of a batch: {@code images} (B, 3, image_size, image_size) as {@link #images} makes them and
     * {@code tokens} from {@link #tokens}; every array it creates belongs to {@code step}.
     */
    public Features forward(NDArray images, Tokens tokens, NDManager step) {
        return new Features(encodeImage(images), encodeText(tokens), scale(step));
    }

    /** Image features (B, embed_dim), not normalised. images: (B, 3, image_size, image_size). */
    public NDArray encodeImage(NDArray images) {
        return visual.forward(images);
    }

    /** Text features (B, embed_dim), not normalised. */
    public NDArray encodeText(Tokens tokens) {
        return text.forward(tokens.ids(), tokens.eot());
    }

    /** Text features (B, embed_dim), not normalised, of {@code n} rows of context_length token ids. */
    public NDArray encodeText(int[] tokens, int n, NDManager step) {
        int t = config.contextLength();
        if (tokens.length != n * t) {
            throw new IllegalArgumentException("tokens: " + tokens.length + " ids for " + n + " rows of " + t);
        }
        return encodeText(tokens(tokens, 0, n, step));
    }

    /** Rows {@code first .. first+n} of context_length token ids in {@code rows} as {@link Tokens} in {@code step}. */
    public Tokens tokens(int[] rows, int first, int n, NDManager step) {
        int t = config.contextLength();
        long[] ids = new long[n * t];
        float[] eot = new float[n * t];
        for (int r = 0; r < n; r++) {
            int last = 0;
            for (int j = 0; j < t; j++) {
                int id = rows[(first + r) * t + j];
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
        return new Tokens(upload(step, ids, new Shape(n, t)), upload(step, eot, new Shape(n, t)));
    }

    /** exp(min(logit_scale, ln 100)) as a scalar array in {@code step}. */
    public NDArray scale(NDManager step) {
        return Scalars.of(step, (float) MAX_LOGIT_SCALE).minimum(logitScale).exp();
    }

    /** The raw logit_scale parameter. */
    public NDArray logitScale() {
        return logitScale;
    }

    /**
     * Images {@code first .. first+n} of already-normalised {@code pixels} (float CHW at the model's image_size,
     * laid out as [n][3][image_size][image_size]; synthetic batches) as a (n, 3, H, W) array in {@code step};
     * nothing is copied on the Java heap. More than {@link #STAGING_BYTES} of pixels are staged in slices and
     * joined on the device, so any batch fits the staging buffer (a 4096 batch of floats at 224 px is 2.47 GB,
     * past a direct buffer's 2 GB limit).
     */
    public NDArray images(float[] pixels, int first, int n, NDManager step) {
        return images(pixels, first, n, step, STAGING_BYTES);
    }

    /** {@link #images} staging at most {@code stagingBytes} at once. */
    NDArray images(float[] pixels, int first, int n, NDManager step, long stagingBytes) {
        int s = config.imageSize();
        int per = 3 * s * s;
        int rows = (int) Math.min(Integer.MAX_VALUE, Math.max(1, stagingBytes / (4L * per)));
        return staged(first, n, rows, (f, k) -> upload(step, pixels, Math.multiplyExact(f, per),
                Math.multiplyExact(k, per), new Shape(k, 3, s, s)));
    }

    /**
     * Images {@code first .. first+n} of {@code pixels} (uint8 RGB CHW at the model's image_size, laid out as
     * [n][3][image_size][image_size], as {@code ClipImageTransform} writes them) as a normalised (n, 3, H, W)
     * float32 array in {@code step}: the bytes go to the device as UINT8 (a quarter of the float copy) and are
     * normalised there, {@code (x.toType(FLOAT32) / 255 − mean) / std} channel-wise
     * ({@link ClipImageTransform#MEAN}, {@link ClipImageTransform#STD}), each op in fp32 — bitwise the floats of
     * the host table
     * {@link ClipImageTransform#normalised} that the loader used before (on the CPU; test
     * {@code ClipTest#pixelsNormalisedOnTheDeviceEqualTheHostTableBitwise}). Ranges over {@link #STAGING_BYTES}
     * are staged in slices and joined on the device before the normalisation.
     */
    public NDArray images(byte[] pixels, int first, int n, NDManager step) {
        return images(pixels, first, n, step, STAGING_BYTES);
    }

    /** {@link #images(byte[], int, int, NDManager)} staging at most {@code stagingBytes} at once. */
    NDArray images(byte[] pixels, int first, int n, NDManager step, long stagingBytes) {
        int s = config.imageSize();
        int per = 3 * s * s;
        long end = ((long) first + n) * per;
        if (first < 0 || n < 0 || end > pixels.length) {
            throw new IllegalArgumentException("images " + first + ".." + (first + n) + " of " + pixels.length
                    + " bytes at " + per + " per image");
        }
        int rows = (int) Math.min(Integer.MAX_VALUE, Math.max(1, stagingBytes / per));
        try (NDArray bytes = staged(first, n, rows,
                (f, k) -> upload(step, pixels, f * per, k * per, new Shape(k, 3, s, s)))) {
            return bytes.toType(DataType.FLOAT32, false).divi(pixelScale).subi(pixelMean).divi(pixelStd);
        }
    }

    /**
     * Images {@code first .. first+n} as {@code upload(first, count)} stages them: at once when {@code n ≤ rows},
     * else in slices of at most {@code rows} images joined on the device.
     */
    private static NDArray staged(int first, int n, int rows, BiFunction<Integer, Integer, NDArray> upload) {
        if (n <= rows) {
            return upload.apply(first, n);
        }
        List<NDArray> parts = new ArrayList<>();
        for (int r = 0; r < n; r += rows) {
            parts.add(upload.apply(first + r, Math.min(rows, n - r)));
        }
        NDArray all = NDArrays.concat(new NDList(parts), 0);
        parts.forEach(NDArray::close);
        return all;
    }

    /** The largest host-to-device copy staged at once (256 MiB). */
    public static final long STAGING_BYTES = 256L << 20;

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

    private NDArray upload(NDManager step, byte[] values, int offset, int length, Shape shape) {
        ByteBuffer b = staging(length);
        b.duplicate().put(values, offset, length);
        try (NDArray staged = step.create(b, shape, DataType.UINT8)) {
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
