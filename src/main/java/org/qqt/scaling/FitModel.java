package org.qqt.scaling;

import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresOptimizer;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresProblem;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.util.Pair;

/**
 * The law over all points of a fit as a function of the free parameters, for Levenberg–Marquardt.
 * Parameter vector θ = ([ln a when searched], [d when searched], b slots, ln τ slots): one b slot per pool, or per
 * tie group when b is tied ({@link Tie}), likewise τ; optimising ln a and ln τ keeps a and τ positive. A
 * one-value a grid or d list fixes that parameter. The Jacobian is analytic ({@link PointTerms#value}); a tied
 * parameter's column holds the derivatives at all its pools' points.
 */
final class FitModel {
    final FitData data;
    final LawForm form;
    final Objective objective;
    final boolean aFree;
    final double aFixed;
    final boolean dFree;
    final double dFixed;
    /** The b and τ slot of each pool, and the number of slots. */
    final int[] bSlot;
    final int[] tauSlot;
    final int bSlots;
    final int tauSlots;
    final Tie tie;

    FitModel(FitData data, LawForm form, Objective objective, boolean aFree, double aFixed, boolean dFree,
             double dFixed) {
        this(data, form, objective, aFree, aFixed, dFree, dFixed, Tie.NONE);
    }

    FitModel(FitData data, LawForm form, Objective objective, boolean aFree, double aFixed, boolean dFree,
             double dFixed, Tie tie) {
        int p = data.pools();
        this.tie = tie;
        this.bSlot = new int[p];
        this.tauSlot = new int[p];
        for (int i = 0; i < p; i++) {
            bSlot[i] = tie.b() ? data.groupOf[i] : i;
            tauSlot[i] = tie.tau() ? data.groupOf[i] : i;
        }
        this.bSlots = tie.b() ? data.groups() : p;
        this.tauSlots = tie.tau() ? data.groups() : p;
        this.data = data;
        this.form = form.forObjective(objective);
        this.objective = objective;
        this.aFree = aFree;
        this.aFixed = aFixed;
        this.dFree = dFree;
        this.dFixed = dFixed;
    }

    int dim() {
        return bOffset() + bSlots + tauSlots;
    }

    private int dOffset() {
        return aFree ? 1 : 0;
    }

    int bOffset() {
        return dOffset() + (dFree ? 1 : 0);
    }

    int tauOffset() {
        return bOffset() + bSlots;
    }

    double a(double[] theta) {
        return aFree ? Math.exp(theta[0]) : aFixed;
    }

    private double lnA(double[] theta) {
        return aFree ? theta[0] : Math.log(aFixed);
    }

    /** The largest half-life reported (epochs): 0.5^(e/τ) differs from 1 by under 1e-9 for e below 1000. */
    static final double TAU_MAX = 1e12;

    double d(double[] theta) {
        return dFree ? theta[dOffset()] : dFixed;
    }

    double b(double[] theta, int pool) {
        return theta[bOffset() + bSlot[pool]];
    }

    /**
     * τ of a pool, at most {@link #TAU_MAX}: when repetition does not hurt a pool, Levenberg–Marquardt walks ln τ
     * upwards without end and exp overflowed to ∞, which no law or params file accepts.
     */
    double tau(double[] theta, int pool) {
        return Math.min(Math.exp(theta[tauOffset() + tauSlot[pool]]), TAU_MAX);
    }

    double[] theta(double a, double d, double[] b, double[] tau) {
        double[] t = new double[dim()];
        if (aFree) {
            t[0] = Math.log(a);
        }
        if (dFree) {
            t[dOffset()] = d;
        }
        for (int i = 0; i < b.length; i++) {
            t[bOffset() + bSlot[i]] = b[i];
            t[tauOffset() + tauSlot[i]] = Math.log(tau[i]);
        }
        return t;
    }

    /** The fitted values at θ; with {@code jacobian} non-null also ∂y_j/∂θ_k into jacobian[j][k]. */
    double[] values(double[] theta, double[][] jacobian) {
        double[] y = new double[data.size()];
        double[] g = jacobian == null ? null : new double[4];
        double d = d(theta);
        double lnA = lnA(theta);
        for (int i = 0; i < data.pools(); i++) {
            double b = b(theta, i);
            double tau = tau(theta, i);
            for (int j = data.start[i]; j < data.start[i + 1]; j++) {
                y[j] = data.terms[j].value(form, objective, lnA, b, tau, d, g);
                if (jacobian != null) {
                    double[] row = jacobian[j];
                    java.util.Arrays.fill(row, 0);
                    if (aFree) {
                        row[0] = g[0];
                    }
                    if (dFree) {
                        row[dOffset()] = g[3];
                    }
                    row[bOffset() + bSlot[i]] = g[1];
                    row[tauOffset() + tauSlot[i]] = g[2];
                }
            }
        }
        return y;
    }

    double sse(double[] theta, double[] target) {
        double[] f = values(theta, null);
        double s = 0;
        for (int j = 0; j < f.length; j++) {
            double r = f[j] - target[j];
            s += r * r;
        }
        return Double.isNaN(s) ? Double.POSITIVE_INFINITY : s;
    }

    /**
     * Levenberg–Marquardt from {@code start} towards {@code target}; returns the optimum, or null when the
     * optimiser fails (non-finite values, no convergence within the evaluation budget).
     */
    double[] refine(double[] start, double[] target) {
        int n = data.size();
        int m = dim();
        LeastSquaresProblem problem = new LeastSquaresBuilder()
                .start(start)
                .target(target)
                .model(point -> {
                    double[][] jac = new double[n][m];
                    double[] v = values(point.toArray(), jac);
                    return new Pair<RealVector, org.apache.commons.math3.linear.RealMatrix>(
                            new ArrayRealVector(v, false), new Array2DRowRealMatrix(jac, false));
                })
                .maxEvaluations(5_000)
                .maxIterations(5_000)
                .lazyEvaluation(false)
                .build();
        try {
            LeastSquaresOptimizer.Optimum opt = new LevenbergMarquardtOptimizer()
                    .withCostRelativeTolerance(1e-12)
                    .withParameterRelativeTolerance(1e-12)
                    .optimize(problem);
            double[] p = opt.getPoint().toArray();
            for (double x : p) {
                if (!Double.isFinite(x)) {
                    return null;
                }
            }
            return p;
        } catch (IllegalStateException | IllegalArgumentException | ArithmeticException e) {
            // Commons Math's ConvergenceException, TooManyEvaluationsException (IllegalStateException),
            // singular or non-finite problems (IllegalArgumentException, ArithmeticException)
            return null;
        }
    }
}
