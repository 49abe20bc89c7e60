package org.qqt.synth;

/**
 * A probability that falls as quality q rises: p(q) = min(1, max · (1 − q)^power). At q = 1 it is 0, at q = 0
 * it is {@code max} (clamped to 1). {@code power} shapes the fall: 1 is linear, 2 spares the upper half more.
 */
public record Curve(double max, double power) {
    public Curve {
        if (!(max >= 0) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("curve max must be a finite number ≥ 0, got " + max);
        }
        if (!(power > 0) || !Double.isFinite(power)) {
            throw new IllegalArgumentException("curve power must be a finite number > 0, got " + power);
        }
    }

    public double at(double q) {
        double x = Math.min(1, Math.max(0, 1 - q));
        return Math.min(1, max * Math.pow(x, power));
    }
}
