package org.qqt.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall-clock time of each phase of training steps, for {@code qqt bench train}. On the CPU every libtorch op
 * returns when its result is computed, so the time between two marks is the cost of the ops in between. On a
 * GPU the ops are queued and the split is meaningless (only the step total is). The disabled instance
 * ({@link #NONE}) records nothing.
 */
final class StepPhases {
    /** Phase names, in step order. */
    static final String[] NAMES = {"image_forward", "text_forward", "loss", "backward", "grad_norm", "optimizer"};
    static final int IMAGE_FORWARD = 0;
    static final int TEXT_FORWARD = 1;
    static final int LOSS = 2;
    static final int BACKWARD = 3;
    static final int GRAD_NORM = 4;
    static final int OPTIMIZER = 5;

    static final StepPhases NONE = new StepPhases(0);

    /** seconds[step][phase] of the steps recorded so far. */
    private final double[][] seconds;
    private int step = -1;
    private long last;

    /** Room for {@code steps} steps. */
    StepPhases(int steps) {
        this.seconds = new double[steps][NAMES.length];
    }

    /** Starts the next step; beyond the capacity, nothing is recorded. */
    void begin() {
        if (seconds.length > 0) {
            step++;
            last = System.nanoTime();
        }
    }

    /** Ends {@code phase}: the time since the previous mark is charged to it. */
    void end(int phase) {
        if (step >= 0 && step < seconds.length) {
            long now = System.nanoTime();
            seconds[step][phase] += (now - last) / 1e9;
            last = now;
        }
    }

    /** Median over the recorded steps of each phase, in milliseconds, by phase name. */
    Map<String, Double> medianMs() {
        int n = Math.min(step + 1, seconds.length);
        Map<String, Double> out = new LinkedHashMap<>();
        for (int p = 0; p < NAMES.length; p++) {
            double[] v = new double[n];
            for (int s = 0; s < n; s++) {
                v[s] = seconds[s][p];
            }
            out.put(NAMES[p], n == 0 ? Double.NaN : median(v) * 1e3);
        }
        return out;
    }

    /** The median of {@code v} (mean of the middle two for an even count); v is sorted in place. */
    static double median(double[] v) {
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }
}
