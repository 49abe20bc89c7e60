package org.qqt.sweep;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.qqt.io.BadInputException;
import org.qqt.model.ModelConfig;

/**
 * How the local executor splits the machine: {@code workers} runs side by side, {@code threads} threads each.
 * {@link #resolve} applies the default rule of docs/sweeps.md when the config and the command line give neither.
 */
public record LocalSplit(int workers, int threads) {

    /**
     * Models with at most this many parameters train faster as one 1-thread run per core than as one run using
     * every core (measured with {@code qqt bench split}: docs/sweeps.md, "Workers and threads").
     */
    public static final long SMALL_MODEL_PARAMETERS = 10_000_000L;

    public LocalSplit {
        if (workers < 1 || threads < 1) {
            throw new IllegalArgumentException("workers >= 1, threads >= 1");
        }
    }

    /** The split and why it was chosen (printed by {@code qqt sweep run}). */
    public record Choice(LocalSplit split, String reason) {}

    /**
     * The split for a local sweep. An explicit {@code workers} or {@code threads} (config or command line; null =
     * not given) keeps the old meaning: workers default to 1, threads to cores / workers. With neither given:
     * one worker with every core when a CUDA device is visible (one GPU per run), else one 1-thread worker per core
     * for a model of at most {@link #SMALL_MODEL_PARAMETERS} parameters and one worker with every core above or
     * when {@code parameters} is negative (unknown).
     * {@code gpu} and {@code parameters} are asked only when needed (the GPU check loads the engine).
     */
    public static Choice resolve(Integer workers, Integer threads, int cores, BooleanSupplier gpu,
                                 LongSupplier parameters) {
        if (cores < 1) {
            throw new IllegalArgumentException("cores >= 1");
        }
        if (workers != null || threads != null) {
            int w = workers == null ? 1 : workers;
            int t = threads == null || threads == 0 ? Math.max(1, cores / w) : threads;
            return new Choice(new LocalSplit(w, t), "given");
        }
        if (gpu.getAsBoolean()) {
            return new Choice(new LocalSplit(1, cores), "default: a CUDA device is visible, one run at a time");
        }
        long p = parameters.getAsLong();
        if (p < 0) {
            return new Choice(new LocalSplit(1, cores), "default on a CPU for a model whose size is unknown (its "
                    + "config does not load): one run with every core");
        }
        if (p <= SMALL_MODEL_PARAMETERS) {
            return new Choice(new LocalSplit(cores, 1), String.format(java.util.Locale.ROOT,
                    "default on a CPU for a model of %.1fM <= %dM parameters: one 1-thread run per core", p / 1e6,
                    SMALL_MODEL_PARAMETERS / 1_000_000));
        }
        return new Choice(new LocalSplit(1, cores), String.format(java.util.Locale.ROOT,
                "default on a CPU for a model of %.1fM > %dM parameters: one run with every core", p / 1e6,
                SMALL_MODEL_PARAMETERS / 1_000_000));
    }

    /**
     * The parameter count of a model config, or -1 when it does not load (a sweep with its own stages need not
     * read it; its runs report a bad config themselves).
     */
    public static long parametersOf(Path modelConfig) {
        try {
            return ModelConfig.load(modelConfig).parameterCount();
        } catch (BadInputException | UncheckedIOException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return workers + "x" + threads;
    }
}
