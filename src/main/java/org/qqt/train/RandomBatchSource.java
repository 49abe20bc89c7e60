package org.qqt.train;

import java.util.SplittableRandom;
import org.qqt.data.Batch;
import org.qqt.data.BatchSource;
import org.qqt.data.LoaderState;

/**
 * Synthetic batches for tests and benchmarks (`qqt train --data random`): Gaussian images and random token
 * rows (SOT, 1..ctx−2 random ids, EOT, zero padding). Batch k is a pure function of (seed, k), so
 * {@link #restore} resumes the exact stream. An "epoch" is {@code poolSize} samples, as for a real pool.
 */
public final class RandomBatchSource implements BatchSource {
    private final int batch;
    private final int imageSize;
    private final int contextLength;
    private final int vocabSize;
    private final long poolSize;
    private long seed;
    private long served;

    public RandomBatchSource(long seed, int batch, int imageSize, int contextLength, int vocabSize, long poolSize) {
        if (vocabSize < 4) {
            throw new IllegalArgumentException("vocab too small: " + vocabSize);
        }
        this.seed = seed;
        this.batch = batch;
        this.imageSize = imageSize;
        this.contextLength = contextLength;
        this.vocabSize = vocabSize;
        this.poolSize = poolSize;
    }

    @Override
    public Batch next() {
        long index = served / batch;
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        float[] images = new float[batch * 3 * imageSize * imageSize];
        for (int i = 0; i < images.length; i += 2) {
            // Box-Muller with StrictMath: the same numbers on every JVM, two per draw
            double radius = StrictMath.sqrt(-2 * StrictMath.log(1 - r.nextDouble()));
            double angle = 2 * Math.PI * r.nextDouble();
            images[i] = (float) (radius * StrictMath.cos(angle));
            if (i + 1 < images.length) {
                images[i + 1] = (float) (radius * StrictMath.sin(angle));
            }
        }
        int sot = vocabSize - 2;
        int eot = vocabSize - 1;
        int[] tokens = new int[batch * contextLength];
        for (int b = 0; b < batch; b++) {
            int len = 1 + r.nextInt(contextLength - 2);
            tokens[b * contextLength] = sot;
            for (int j = 1; j <= len; j++) {
                tokens[b * contextLength + j] = 1 + r.nextInt(vocabSize - 3);
            }
            tokens[b * contextLength + len + 1] = eot;
        }
        served += batch;
        return new Batch(batch, imageSize, contextLength, images, tokens);
    }

    @Override
    public LoaderState state() {
        return new LoaderState(seed, served / poolSize, served % poolSize, served);
    }

    @Override
    public void restore(LoaderState state) {
        this.seed = state.seed();
        this.served = state.samplesServed();
    }

    @Override
    public void close() {}
}
