package org.qqt.data;

import org.qqt.io.BadInputException;

/**
 * Settings of a {@link ShardLoader}. {@code sampleLimit} ≤ 0 means an endless stream; {@code threads} decode
 * images (batches are identical for any number); {@code prefetch} batches are decoded ahead; {@code indexCache}
 * is the folder where each shard's header index is kept between starts (null: none; see {@link ShardHeaders}).
 */
public record LoaderOptions(int imageSize, int contextLength, int batchSize, long seed, Mode mode, int threads,
                            int prefetch, long maxPixels, long sampleLimit, java.nio.file.Path indexCache) {

    /**
     * Batches decoded ahead by default: each is split across every decode thread, so a few keep all threads
     * busy, and the host holds at most this many batches besides the one in use (4 × 617 MB at 4096 × 224 px).
     */
    public static final int PREFETCH = 4;

    /** How the sample stream is drawn from the epoch. */
    public enum Mode { EPOCH, RESAMPLED }

    public LoaderOptions {
        if (imageSize < 1 || contextLength < 2 || batchSize < 1 || threads < 1 || prefetch < 1 || maxPixels < 1) {
            throw new BadInputException("bad loader options: image size, context length (>= 2), batch size, threads"
                    + " and prefetch must be positive; got " + imageSize + ", " + contextLength + ", " + batchSize
                    + ", " + threads + ", " + prefetch);
        }
    }

    /** Epoch mode, {@link #defaultThreads()} decode threads, {@link #PREFETCH} batches ahead. */
    public static LoaderOptions of(int imageSize, int contextLength, int batchSize, long seed) {
        int t = defaultThreads();
        return new LoaderOptions(imageSize, contextLength, batchSize, seed, Mode.EPOCH, t, PREFETCH,
                ImageCodec.DEFAULT_MAX_PIXELS, 0, null);
    }

    /**
     * The cores this job has: {@code SLURM_CPUS_PER_TASK} when Slurm set it (a job array task gets that many
     * cores however many the node has), else every core the JVM may use.
     */
    public static int defaultThreads() {
        return coresOf(System.getenv("SLURM_CPUS_PER_TASK"), Runtime.getRuntime().availableProcessors());
    }

    /** {@code slurmCpus} as a positive number when it is one, else {@code available}. */
    static int coresOf(String slurmCpus, int available) {
        if (slurmCpus != null) {
            try {
                int n = Integer.parseInt(slurmCpus.strip());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // not a number: fall back to the cores the JVM sees
            }
        }
        return Math.max(1, available);
    }

    public LoaderOptions withMode(Mode m) {
        return new LoaderOptions(imageSize, contextLength, batchSize, seed, m, threads, prefetch, maxPixels, sampleLimit, indexCache);
    }

    public LoaderOptions withThreads(int t) {
        return new LoaderOptions(imageSize, contextLength, batchSize, seed, mode, t, PREFETCH, maxPixels,
                sampleLimit, indexCache);
    }

    public LoaderOptions withMaxPixels(long px) {
        return new LoaderOptions(imageSize, contextLength, batchSize, seed, mode, threads, prefetch, px, sampleLimit, indexCache);
    }

    public LoaderOptions withSampleLimit(long n) {
        return new LoaderOptions(imageSize, contextLength, batchSize, seed, mode, threads, prefetch, maxPixels, n, indexCache);
    }

    /** Keeps each shard's header index in {@code dir} (a folder the run owns; created when first written). */
    public LoaderOptions withIndexCache(java.nio.file.Path dir) {
        return new LoaderOptions(imageSize, contextLength, batchSize, seed, mode, threads, prefetch, maxPixels,
                sampleLimit, dir);
    }
}
