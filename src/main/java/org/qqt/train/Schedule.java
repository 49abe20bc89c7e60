package org.qqt.train;

/**
 * Learning rate per optimiser step, as open_clip's cosine scheduler: linear warmup to the base rate, then a
 * half cosine to zero at the last step.
 * <pre>
 *   step &lt; warmup:  lr = base · (step + 1) / warmup
 *   otherwise:      lr = base · ½ · (1 + cos(π · (step − warmup) / (total − warmup)))
 * </pre>
 */
public final class Schedule {
    private Schedule() {}

    public static double lr(double base, long step, long warmup, long total) {
        if (step < warmup) {
            return base * (step + 1) / warmup;
        }
        long span = total - warmup;
        if (span <= 0) {
            return base;
        }
        return 0.5 * (1 + Math.cos(Math.PI * (step - warmup) / span)) * base;
    }

    /** Optimiser steps for a budget of samples seen: ceil(samples / batch). */
    public static long steps(long samplesSeen, int batch) {
        return (samplesSeen + batch - 1) / batch;
    }

    /** Default warmup: 10% of the steps, at most 500 (DataComp's small scale warms up over 500 steps). */
    public static long defaultWarmup(long totalSteps) {
        return Math.min(500, Math.max(1, (totalSteps + 9) / 10));
    }
}
