package org.qqt.scaling;

/**
 * The scaling law for repeated data: the error after S samples seen when each epoch holds E samples.
 *
 * <p>Epochs e = 0..floor(S/E). The accumulated, scaled sample count after epoch e is
 * n_e = n_{e-1} + w_e·a·(min(E·(e+1), S) − E·e)/N0 with n_{-1} = 0 (for the utility objective w_e = 1, so
 * n_e = a·min(E·(e+1), S)/N0 and the "m_e" of DESIGN.md is n_{e-1}). With b_e from the {@link UtilitySchedule}:
 * <pre>
 *   P(S) = n_0^(b_0) · Π_{e≥1} (n_e / n_{e-1})^(b_e)
 *   additive  (paper):     y = P(S) + d
 *   reference (locuslab):  y = (n_0^(b_0) + d) · Π_{e≥1} (n_e / n_{e-1})^(b_e)
 * </pre>
 * An epoch that adds no samples (S an exact multiple of E) contributes a ratio of 1, so the curve is continuous
 * at epoch boundaries. S = 0 gives d, as the reference's {@code power(0, ·)} does.
 *
 * @param form where d sits (only meaningful for the utility objective; effective data always adds d at the end)
 * @param a the shared sample scale (the reference code's {@code a}: n = a·samples/N0)
 * @param d irreducible error
 * @param normalizer N0, 100,000 in the reference
 */
public record Law(LawForm form, double a, double d, double normalizer) {

    public static final double DEFAULT_NORMALIZER = 100_000;

    /** The error after {@code samplesSeen} samples when one epoch is {@code samplesPerEpoch} samples. */
    public double error(double samplesSeen, double samplesPerEpoch, UtilitySchedule schedule) {
        if (samplesSeen <= 0) {
            return d;
        }
        double scale = a / normalizer;
        long lastEpoch = (long) Math.floor(samplesSeen / samplesPerEpoch);
        double n = scale * Math.min(samplesPerEpoch, samplesSeen); // n_0
        double head = Math.pow(n, schedule.utility(0));
        double tail = 1.0;
        for (int e = 1; e <= lastEpoch; e++) {
            double fresh = Math.min(samplesPerEpoch * (e + 1), samplesSeen) - samplesPerEpoch * e;
            if (fresh <= 0) {
                continue; // S is an exact multiple of E: ratio 1
            }
            double next = n + schedule.weight(e) * scale * fresh;
            tail *= Math.pow(next / n, schedule.utility(e));
            n = next;
        }
        return form == LawForm.REFERENCE ? (head + d) * tail : head * tail + d;
    }

    /** The law a given objective uses: effective data always adds d at the end (as the reference code does). */
    public Law forObjective(Objective objective) {
        LawForm f = form.forObjective(objective);
        return f == form ? this : new Law(f, a, d, normalizer);
    }
}
