package org.qqt.scaling;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The exhaustive grid: a and d shared, b and τ per pool, objective = sum of squared errors over all points.
 *
 * <p>For fixed (a, d) the pools are independent, so each pool is minimised over its (b, τ) plane and the minima
 * are summed. The law factorises into an a-dependent scalar and an a-independent table: y = A·W + d (additive
 * utility, effective data) or y = (A·R + d)·V (reference form), with A = a^b, W and V = exp(b·kernel(τ)),
 * R = (min(E,S)/N0)^b. The tables are built once per pool (|b|·|τ|·points exps), after which each grid cell
 * costs one multiply-add and one square per point.
 *
 * <p>Work is split over (d, a) cells; each cell is computed sequentially and written to its own slot, and the
 * reduction walks the slots in index order with a strict "&lt;", so the result does not depend on the thread
 * count or scheduling: ties go to the lowest (d, a, b, τ) grid index.
 */
final class GridSearch {
    private GridSearch() {}

    /** The best grid point: indices into the d list and the a, b, τ axes, and its SSE. */
    record Best(int dIndex, int aIndex, int[] bIndex, int[] tauIndex, double sse, long rows) {}

    /** Per-pool tables of the a- and d-free factors. */
    static final class Tables {
        final LawForm form;
        final double[] b;
        final double[] tau;
        /** [pool][(bi·|τ| + ti)·points + j]: W (additive, effective data) or V (reference). */
        final double[][] factor;
        /** [pool][bi·points + j]: R = (min(E,S)/N0)^b, reference form only. */
        final double[][] head;
        final FitData data;

        Tables(FitData data, LawForm form, Objective objective, double[] b, double[] tau) {
            this.form = objective == Objective.EFFECTIVE_DATA ? LawForm.ADDITIVE : form;
            this.b = b;
            this.tau = tau;
            this.data = data;
            int p = data.pools();
            factor = new double[p][];
            head = new double[p][];
            for (int i = 0; i < p; i++) {
                int first = data.start[i];
                int np = data.start[i + 1] - first;
                double[] kernel = new double[tau.length * np];
                for (int ti = 0; ti < tau.length; ti++) {
                    for (int j = 0; j < np; j++) {
                        kernel[ti * np + j] = data.terms[first + j].kernel(form, objective, tau[ti]);
                    }
                }
                double[] f = new double[b.length * tau.length * np];
                for (int bi = 0; bi < b.length; bi++) {
                    for (int ti = 0; ti < tau.length; ti++) {
                        int base = (bi * tau.length + ti) * np;
                        for (int j = 0; j < np; j++) {
                            f[base + j] = Math.exp(b[bi] * kernel[ti * np + j]);
                        }
                    }
                }
                factor[i] = f;
                if (this.form == LawForm.REFERENCE) {
                    double[] h = new double[b.length * np];
                    for (int bi = 0; bi < b.length; bi++) {
                        for (int j = 0; j < np; j++) {
                            h[bi * np + j] = Math.exp(b[bi] * data.terms[first + j].lnFirst);
                        }
                    }
                    head[i] = h;
                }
            }
        }

        /** The law at point j (0-based within pool i) from the tables; what the search minimises. */
        double value(int pool, int j, double a, double d, int bi, int ti) {
            int np = data.start[pool + 1] - data.start[pool];
            double scale = Math.exp(b[bi] * Math.log(a));
            double f = factor[pool][(bi * tau.length + ti) * np + j];
            return form == LawForm.REFERENCE ? (scale * head[pool][bi * np + j] + d) * f : scale * f + d;
        }

        /**
         * Minimises pool i over (b, τ) for fixed (a, d); writes the best b and τ indices to out[0..1] and returns
         * the SSE. Ties go to the lowest (b, τ) index.
         */
        double minimise(int pool, double lnA, double d, int[] out) {
            int first = data.start[pool];
            int np = data.start[pool + 1] - first;
            double[] f = factor[pool];
            int nt = tau.length;
            double best = Double.POSITIVE_INFINITY;
            int bestB = 0;
            int bestT = 0;
            if (form == LawForm.REFERENCE) {
                double[] h = new double[np];
                double[] yy = new double[np];
                System.arraycopy(data.y, first, yy, 0, np);
                for (int bi = 0; bi < b.length; bi++) {
                    double scale = Math.exp(b[bi] * lnA);
                    for (int j = 0; j < np; j++) {
                        h[j] = scale * head[pool][bi * np + j] + d;
                    }
                    int base = bi * nt * np;
                    for (int ti = 0; ti < nt; ti++, base += np) {
                        double s = 0;
                        for (int j = 0; j < np; j++) {
                            double r = h[j] * f[base + j] - yy[j];
                            s += r * r;
                        }
                        if (s < best) {
                            best = s;
                            bestB = bi;
                            bestT = ti;
                        }
                    }
                }
            } else {
                double[] c = new double[np];
                for (int j = 0; j < np; j++) {
                    c[j] = d - data.y[first + j];
                }
                for (int bi = 0; bi < b.length; bi++) {
                    double scale = Math.exp(b[bi] * lnA);
                    int base = bi * nt * np;
                    for (int ti = 0; ti < nt; ti++, base += np) {
                        double s = 0;
                        for (int j = 0; j < np; j++) {
                            double r = scale * f[base + j] + c[j];
                            s += r * r;
                        }
                        if (s < best) {
                            best = s;
                            bestB = bi;
                            bestT = ti;
                        }
                    }
                }
            }
            out[0] = bestB;
            out[1] = bestT;
            return best;
        }
    }

    static Best run(FitData data, FitOptions opt) {
        double[] a = opt.a().values();
        double[] b = opt.b().values();
        double[] tau = opt.tau().values();
        double[] d = opt.d().stream().mapToDouble(Double::doubleValue).toArray();
        Tables tables = new Tables(data, opt.form(), opt.objective(), b, tau);
        int p = data.pools();
        int cells = d.length * a.length;
        double[] cellSse = new double[cells];
        int[] cellB = new int[cells * p];
        int[] cellT = new int[cells * p];
        java.util.function.IntConsumer cell = k -> {
            double dk = d[k / a.length];
            double lnA = Math.log(a[k % a.length]);
            int[] out = new int[2];
            double total = 0;
            for (int i = 0; i < p; i++) {
                total += tables.minimise(i, lnA, dk, out);
                cellB[k * p + i] = out[0];
                cellT[k * p + i] = out[1];
            }
            cellSse[k] = total;
        };
        if (opt.threads() == 1) {
            IntStream.range(0, cells).forEach(cell);
        } else {
            ForkJoinPool pool = new ForkJoinPool(opt.threads());
            try {
                pool.submit(() -> IntStream.range(0, cells).parallel().forEach(cell)).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("grid search interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("grid search failed: " + e.getCause(), e.getCause());
            } finally {
                pool.shutdown();
            }
        }
        int best = 0;
        for (int k = 1; k < cells; k++) {
            if (cellSse[k] < cellSse[best] || Double.isNaN(cellSse[best])) {
                best = k;
            }
        }
        int[] bi = new int[p];
        int[] ti = new int[p];
        for (int i = 0; i < p; i++) {
            bi[i] = cellB[best * p + i];
            ti[i] = cellT[best * p + i];
        }
        long rows = (long) cells * p * b.length * tau.length;
        return new Best(best / a.length, best % a.length, bi, ti, cellSse[best], rows);
    }
}
