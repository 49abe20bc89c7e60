package org.qqt.scaling;

import java.util.Arrays;

/**
 * The a-independent parts of the law at one observation (pool size E, samples seen S), precomputed once so
 * that the fit never walks the epochs of {@link Law#error} again. With e = 1..floor(S/E) the epochs that add
 * samples, r_e = min(E·(e+1), S)/(E·e) and fresh_e = min(E·(e+1), S) − E·e (fresh_0 = min(E, S)):
 * <pre>
 *   utility:         ln(head·tail) = b·[ln a + ln(min(E,S)/N0) + G(τ)],   G(τ) = Σ_e 0.5^(e/τ)·ln r_e
 *   effective data:  ln D_eff^b    = b·[ln a + ln H(τ)],                  H(τ) = Σ_e 0.5^(e/τ)·fresh_e/N0
 * </pre>
 */
final class PointTerms {
    static final double LN2 = Math.log(2);

    /** ln(min(E, S)/N0): the first epoch's scaled count without a. */
    final double lnFirst;
    /** Epoch numbers e ≥ 1 that add samples. */
    private final double[] epoch;
    /** ln r_e for those epochs. */
    private final double[] lnRatio;
    /** fresh_e/N0 for those epochs. */
    private final double[] fresh;
    /** fresh_0/N0 = min(E, S)/N0. */
    private final double first;

    PointTerms(double samplesPerEpoch, double samplesSeen, double normalizer) {
        double e0 = Math.min(samplesPerEpoch, samplesSeen);
        first = e0 / normalizer;
        lnFirst = Math.log(first);
        long last = (long) Math.floor(samplesSeen / samplesPerEpoch);
        int n = (int) Math.max(0, last);
        double[] ep = new double[n];
        double[] lr = new double[n];
        double[] fr = new double[n];
        int k = 0;
        for (long e = 1; e <= last; e++) {
            double f = Math.min(samplesPerEpoch * (e + 1), samplesSeen) - samplesPerEpoch * e;
            if (f > 0) {
                ep[k] = e;
                lr[k] = Math.log1p(f / (samplesPerEpoch * e));
                fr[k] = f / normalizer;
                k++;
            }
        }
        epoch = Arrays.copyOf(ep, k);
        lnRatio = Arrays.copyOf(lr, k);
        fresh = Arrays.copyOf(fr, k);
    }

    /** start + Σ_e 0.5^(e/τ)·w_e over the epochs that add samples. */
    private double decayed(double start, double[] w, double tau) {
        double s = start;
        for (int k = 0; k < epoch.length; k++) {
            s += Math.exp(-LN2 * epoch[k] / tau) * w[k];
        }
        return s;
    }

    /** d/d(ln τ) of {@link #decayed}: Σ_e 0.5^(e/τ)·(ln2·e/τ)·w_e. */
    private double decayedSlope(double[] w, double tau) {
        double s = 0;
        for (int k = 0; k < epoch.length; k++) {
            s += Math.exp(-LN2 * epoch[k] / tau) * (LN2 * epoch[k] / tau) * w[k];
        }
        return s;
    }

    /** G(τ) = Σ_e 0.5^(e/τ)·ln r_e. */
    double g(double tau) {
        return decayed(0, lnRatio, tau);
    }

    /** dG/d(ln τ) = Σ_e 0.5^(e/τ)·(ln2·e/τ)·ln r_e. */
    double gSlope(double tau) {
        return decayedSlope(lnRatio, tau);
    }

    /** H(τ) = Σ_e 0.5^(e/τ)·fresh_e/N0 (e = 0 included): the effective samples without a. */
    double h(double tau) {
        return decayed(first, fresh, tau);
    }

    /** dH/d(ln τ). */
    double hSlope(double tau) {
        return decayedSlope(fresh, tau);
    }

    /**
     * The law's value at this point, and (when {@code grad} is not null) its partial derivatives with respect
     * to (ln a, b, ln τ, d), written into grad[0..3].
     */
    double value(LawForm form, Objective objective, double lnA, double b, double tau, double d, double[] grad) {
        if (objective == Objective.EFFECTIVE_DATA) {
            double h = h(tau);
            double l = lnA + Math.log(h);
            double p = Math.exp(b * l);
            if (grad != null) {
                grad[0] = b * p;
                grad[1] = l * p;
                grad[2] = b * p * hSlope(tau) / h;
                grad[3] = 1;
            }
            return p + d;
        }
        double g = g(tau);
        double l0 = lnA + lnFirst;
        if (form == LawForm.REFERENCE) {
            double head = Math.exp(b * l0);
            double tail = Math.exp(b * g);
            double y = (head + d) * tail;
            if (grad != null) {
                grad[0] = b * head * tail;
                grad[1] = l0 * head * tail + y * g;
                grad[2] = y * b * gSlope(tau);
                grad[3] = tail;
            }
            return y;
        }
        double p = Math.exp(b * (l0 + g));
        if (grad != null) {
            grad[0] = b * p;
            grad[1] = (l0 + g) * p;
            grad[2] = b * p * gSlope(tau);
            grad[3] = 1;
        }
        return p + d;
    }

    /**
     * The exponent the grid multiplies by b (it tabulates exp(b·kernel)): ln(min(E,S)/N0) + G(τ) for the additive
     * utility law, G(τ) (the tail) for the reference form, ln H(τ) for effective data.
     */
    double kernel(LawForm form, Objective objective, double tau) {
        if (objective == Objective.EFFECTIVE_DATA) {
            return Math.log(h(tau));
        }
        return form == LawForm.REFERENCE ? g(tau) : lnFirst + g(tau);
    }
}
