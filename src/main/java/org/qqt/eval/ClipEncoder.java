package org.qqt.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.List;
import org.qqt.data.TextTokenizer;
import org.qqt.model.Clip;

/**
 * The {@link Encoder} of a trained {@link Clip}: images (uint8 CHW as ClipImageTransform writes them, normalised
 * on the device by {@link Clip#images(byte[], int, int, ai.djl.ndarray.NDManager)}, or already-normalised floats) and texts
 * (tokenised with the run's tokenizer) to L2-normalised features. Inference only: autograd is off while
 * encoding, every intermediate array lives in a sub-manager closed after each chunk of {@code batchSize}
 * inputs, and results are copied to the Java heap. The results do not depend on the chunking.
 * One instance serves one thread at a time.
 */
public final class ClipEncoder implements Encoder {
    private final Clip model;
    private final TextTokenizer tokenizer;
    private final int batchSize;

    public ClipEncoder(Clip model, TextTokenizer tokenizer, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
    }

    @Override
    public int imageSize() {
        return model.config().imageSize();
    }

    /** Width of the features. */
    public int dim() {
        return model.config().embedDim();
    }

    @Override
    public float[][] encodeImages(ImageBatch images) {
        if (images.imageSize() != imageSize()) {
            throw new IllegalArgumentException(images.imageSize() + "px images for a " + imageSize() + "px model");
        }
        return inBatches(images.size(), (from, to, step) -> model.encodeImage(images.uint8() != null
                ? model.images(images.uint8(), from, to - from, step) // normalised on the device
                : model.images(images.pixels(), from, to - from, step)));
    }

    @Override
    public float[][] encodeTexts(List<String> texts) {
        int t = model.config().contextLength();
        return inBatches(texts.size(), (from, to, step) -> {
            int[] tokens = new int[(to - from) * t];
            for (int i = from; i < to; i++) {
                System.arraycopy(tokenizer.encode(texts.get(i), t), 0, tokens, (i - from) * t, t);
            }
            return model.encodeText(tokens, to - from, step);
        });
    }

    /** Features of rows [from, to), allocated in {@code step}. */
    private interface BatchEncoder {
        NDArray encode(int from, int to, NDManager step);
    }

    /** L2-normalised features of n rows, {@code batchSize} at a time, without autograd, one sub-manager per batch. */
    private float[][] inBatches(int n, BatchEncoder encoder) {
        float[][] out = new float[n][];
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                try (NDManager step = model.manager().newSubManager()) {
                    copyRows(normalised(encoder.encode(from, to, step)), out, from);
                }
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        return out;
    }

    private static NDArray normalised(NDArray f) {
        return f.div(f.norm(new int[] {1}, true).maximum(1e-12f));
    }

    private static void copyRows(NDArray features, float[][] out, int from) {
        int rows = (int) features.getShape().get(0);
        int dim = (int) features.getShape().get(1);
        float[] flat = features.toFloatArray();
        for (int r = 0; r < rows; r++) {
            out[from + r] = Arrays.copyOfRange(flat, r * dim, (r + 1) * dim);
        }
    }
}
