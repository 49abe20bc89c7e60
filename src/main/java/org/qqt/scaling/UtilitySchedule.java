package org.qqt.scaling;

/**
 * What one epoch of a pool (or of a mixture of pools) is worth: for epoch e = 0, 1, 2, … (the (e+1)-th
 * pass over the data) the utility exponent b_e, and the weight w_e with which that epoch's samples add to the
 * accumulated (effective) sample count. The law ({@link Law}) turns a schedule into an error curve.
 *
 * <ul>
 *   <li>utility objective, one pool: b_e = b·0.5^(e/τ), w_e = 1;
 *   <li>utility objective, mixture (Theorem 1): b_e = mean_i b_i·0.5^(e/τ̂_i), w_e = 1;
 *   <li>effective data, one pool: b_e = b, w_e = 0.5^(e/τ), so y = D_eff^b + d;
 *   <li>effective data, mixture (App. F.3, as the reference code): b_e = Σ b_i δ_i^e / Σ δ_i^e, w_e = mean_i δ_i^e.
 * </ul>
 * In a mixture τ̂_i = (N̂/N_i)·τ_i, N̂ = Σ N_i (App. G), and δ_i = 0.5^(1/τ̂_i).
 */
public interface UtilitySchedule {
    /** Utility exponent b_e of epoch e (0-based). */
    double utility(int epoch);

    /** Weight w_e of the samples of epoch e in the accumulated sample count. */
    double weight(int epoch);

    /** A single pool trained alone. */
    static UtilitySchedule pool(double b, double tau, Objective objective) {
        return new Single(b, tau, objective == Objective.UTILITY);
    }

    /** One pool. */
    record Single(double b, double tau, boolean utilityDecays) implements UtilitySchedule {
        @Override
        public double utility(int e) {
            return utilityDecays ? b * Math.pow(0.5, e / tau) : b;
        }

        @Override
        public double weight(int e) {
            return utilityDecays ? 1.0 : Math.pow(0.5, e / tau);
        }
    }

    /** Several pools merged into one, b and τ̂ per pool (made by {@link Mixture#schedule}). */
    record MergedPools(double[] b, double[] tauHat, boolean utilityDecays) implements UtilitySchedule {
        @Override
        public double utility(int e) {
            double num = 0;
            double den = 0;
            for (int i = 0; i < b.length; i++) {
                double decay = Math.pow(0.5, e / tauHat[i]);
                num += b[i] * decay;
                den += decay;
            }
            return utilityDecays ? num / b.length : num / den;
        }

        @Override
        public double weight(int e) {
            if (utilityDecays) {
                return 1.0;
            }
            double sum = 0;
            for (double t : tauHat) {
                sum += Math.pow(0.5, e / t);
            }
            return sum / tauHat.length;
        }
    }
}
