package org.qqt.scaling;

import org.qqt.io.BadInputException;

/**
 * One axis of the fitting grid: {@code steps} evenly spaced values from {@code min} to {@code max} inclusive,
 * like numpy's {@code linspace(min, max, steps)}. Written on the command line as {@code MIN:MAX:STEPS}.
 */
public record GridAxis(double min, double max, int steps) {
    public GridAxis {
        if (!Double.isFinite(min) || !Double.isFinite(max) || steps < 1 || (steps > 1 && !(max > min))
                || (steps == 1 && min != max)) {
            throw new BadInputException("bad grid axis " + min + ":" + max + ":" + steps
                    + "; write MIN:MAX:STEPS with MIN < MAX and STEPS >= 2, or V:V:1 for the single value V");
        }
    }

    /** The values, computed as numpy's linspace does (min + i·step, the last one exactly max). */
    public double[] values() {
        double[] v = new double[steps];
        if (steps == 1) {
            v[0] = min;
            return v;
        }
        double step = (max - min) / (steps - 1);
        for (int i = 0; i < steps; i++) {
            v[i] = min + i * step;
        }
        v[steps - 1] = max;
        return v;
    }

    /** Parses {@code MIN:MAX:STEPS}, e.g. {@code -0.5:-0.005:100}. */
    public static GridAxis parse(String option, String text) {
        String[] f = text.trim().split(":");
        if (f.length != 3) {
            throw new BadInputException(option + " '" + text + "': write MIN:MAX:STEPS, e.g. -0.5:-0.005:100");
        }
        try {
            return new GridAxis(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Integer.parseInt(f[2]));
        } catch (NumberFormatException e) {
            throw new BadInputException(option + " '" + text + "': not a number; write MIN:MAX:STEPS, e.g. 1:10:100");
        }
    }

    @Override
    public String toString() {
        return min + ":" + max + ":" + steps;
    }
}
