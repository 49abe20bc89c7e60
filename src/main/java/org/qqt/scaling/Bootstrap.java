package org.qqt.scaling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Residual bootstrap: y* = ŷ + s·r[u], with r the fit's residuals, u drawn uniformly with replacement over all
 * points of the fit, and s = sqrt(n/(n−k)) (n points, k free parameters) so that the resampled residuals have
 * the fit's unbiased variance. Each draw is refitted with Levenberg–Marquardt only, starting from the optimum.
 * The resampling indices are drawn sequentially from one seeded {@link SplittableRandom} before any refit runs,
 * and each refit writes its own slot, so the draws do not depend on threads.
 */
final class Bootstrap {
    private Bootstrap() {}

    /** The refitted parameter vectors, in draw order; draws whose refit failed are left out. */
    static List<double[]> draws(FitModel model, double[] theta, double[] target, int count, long seed, int threads) {
        int n = target.length;
        int k = model.dim();
        double[] fitted = model.values(theta, null);
        double[] resid = new double[n];
        for (int j = 0; j < n; j++) {
            resid[j] = target[j] - fitted[j];
        }
        double scale = n > k ? Math.sqrt((double) n / (n - k)) : 1.0;
        SplittableRandom rnd = new SplittableRandom(seed);
        int[][] idx = new int[count][n];
        for (int[] row : idx) {
            for (int j = 0; j < n; j++) {
                row[j] = rnd.nextInt(n);
            }
        }
        double[][] out = new double[count][];
        java.util.function.IntConsumer one = t -> {
            double[] y = new double[n];
            for (int j = 0; j < n; j++) {
                y[j] = fitted[j] + scale * resid[idx[t][j]];
            }
            out[t] = model.refine(theta, y);
        };
        if (threads == 1) {
            IntStream.range(0, count).forEach(one);
        } else {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                pool.submit(() -> IntStream.range(0, count).parallel().forEach(one)).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("bootstrap interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("bootstrap failed: " + e.getCause(), e.getCause());
            } finally {
                pool.shutdown();
            }
        }
        List<double[]> ok = new ArrayList<>();
        for (double[] d : out) {
            if (d != null) {
                ok.add(d);
            }
        }
        return ok;
    }

    /** The q-quantile of {@code values} with linear interpolation (numpy's default, "type 7"). */
    static double quantile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        return quantileOfSorted(s, q);
    }

    /** Linear-interpolation quantile (numpy's default) of already sorted values, q in [0, 1]. */
    static double quantileOfSorted(double[] s, double q) {
        if (s.length == 1) {
            return s[0];
        }
        double h = (s.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (h - lo) * (s[hi] - s[lo]);
    }
}
