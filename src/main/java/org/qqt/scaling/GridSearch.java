package org.qqt.scaling;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The exhaustive grid: a and d shared, b and τ per pool, objective = sum of squared errors over all points.
 *
 * <p>For fixed (a, d) the tie groups ({@link Tie}) are independent, so each group is minimised over its (b, τ)
 * cells ({@link #minimiseGroup}) and the minima are summed; without tying every pool is its own group. The law
 * factorises into an a-dependent scalar A = a^b and a-independent factors per point:
 * <pre>
 *   additive utility, effective data:  y_j = A·W_j + d            W_j = exp(b·kernel_j(τ))
 *   reference form:                    y_j = A·U_j + d·V_j        V_j = exp(b·G_j(τ)), U_j = (min(E,S)/N0)^b·V_j
 * </pre>
 * so a pool's SSE at (a, d, b, τ) is a quadratic in A and d whose coefficients are sums over the pool's points:
 * SSE = A²·P + 2A·(d·Q − R) + d²·S − 2d·T + Σy², with (P, Q, R, S, T) = (ΣW², ΣW, ΣW·y, n, Σy) or
 * (ΣU², ΣU·V, ΣU·y, ΣV², ΣV·y). These five sums are tabulated once per (pool, b, τ) (|b|·|τ|·points exps);
 * after that a grid row costs one fused polynomial, whatever the number of points. The quadratic loses about
 * 1e-16·Σy² to cancellation (≈ 1e-15 here), far below the SSE differences between grid cells; the reported SSE
 * is recomputed point by point.
 *
 * <p>Work is split over (d, group) pairs; each is computed sequentially (all a at once, a innermost) into its own
 * slots, and the reduction sums the groups in order and walks the (d, a) cells in index order with a strict "&lt;",
 * so the result does not depend on the thread count or scheduling: ties go to the lowest (d, a, b, τ) index.
 */
final class GridSearch {
    private GridSearch() {}

    /** The best grid point: indices into the d list and the a, b, τ axes, its SSE, and the rows evaluated. */
    record Best(int dIndex, int aIndex, int[] bIndex, int[] tauIndex, double sse, long rows) {}

    /** Per-pool tables of the a- and d-free sums. */
    static final class Tables {
        final LawForm form;
        final Objective objective;
        final double[] b;
        final double[] tau;
        final FitData data;
        /** [pool][bi·|τ| + ti] sums P, Q, R, S, T (see the class comment). */
        final double[][] p;
        final double[][] q;
        final double[][] r;
        final double[][] s;
        final double[][] t;
        /** [pool] Σy². */
        final double[] yy;

        Tables(FitData data, LawForm form, Objective objective, double[] b, double[] tau) {
            this.form = form.forObjective(objective);
            this.objective = objective;
            this.b = b;
            this.tau = tau;
            this.data = data;
            int pools = data.pools();
            int cells = b.length * tau.length;
            p = new double[pools][cells];
            q = new double[pools][cells];
            r = new double[pools][cells];
            s = new double[pools][cells];
            t = new double[pools][cells];
            yy = new double[pools];
            boolean ref = this.form == LawForm.REFERENCE;
            for (int i = 0; i < pools; i++) {
                int first = data.start[i];
                int np = data.start[i + 1] - first;
                double[] kernel = new double[tau.length * np];
                for (int ti = 0; ti < tau.length; ti++) {
                    for (int j = 0; j < np; j++) {
                        kernel[ti * np + j] = data.terms[first + j].kernel(form, objective, tau[ti]);
                    }
                }
                double sy = 0;
                double syy = 0;
                for (int j = 0; j < np; j++) {
                    sy += data.y[first + j];
                    syy += data.y[first + j] * data.y[first + j];
                }
                yy[i] = syy;
                double[] head = new double[np];
                for (int bi = 0; bi < b.length; bi++) {
                    if (ref) {
                        for (int j = 0; j < np; j++) {
                            head[j] = Math.exp(b[bi] * data.terms[first + j].lnFirst);
                        }
                    }
                    for (int ti = 0; ti < tau.length; ti++) {
                        int k = bi * tau.length + ti;
                        double sp = 0;
                        double sq = 0;
                        double sr = 0;
                        double ss = 0;
                        double st = 0;
                        for (int j = 0; j < np; j++) {
                            double y = data.y[first + j];
                            double f = Math.exp(b[bi] * kernel[ti * np + j]);
                            if (ref) {
                                double u = head[j] * f;
                                sp += u * u;
                                sq += u * f;
                                sr += u * y;
                                ss += f * f;
                                st += f * y;
                            } else {
                                sp += f * f;
                                sq += f;
                                sr += f * y;
                            }
                        }
                        p[i][k] = sp;
                        q[i][k] = sq;
                        r[i][k] = sr;
                        s[i][k] = ref ? ss : np;
                        t[i][k] = ref ? st : sy;
                    }
                }
            }
        }

        /** Tables with one unit: the given pools' sums added (the SSE's sums are additive over points). */
        Tables merged(int[] pools) {
            return new Tables(this, pools);
        }

        private Tables(Tables src, int[] pools) {
            form = src.form;
            objective = src.objective;
            b = src.b;
            tau = src.tau;
            data = src.data;
            int cells = b.length * tau.length;
            p = new double[1][cells];
            q = new double[1][cells];
            r = new double[1][cells];
            s = new double[1][cells];
            t = new double[1][cells];
            yy = new double[1];
            for (int i : pools) {
                for (int k = 0; k < cells; k++) {
                    p[0][k] += src.p[i][k];
                    q[0][k] += src.q[i][k];
                    r[0][k] += src.r[i][k];
                    s[0][k] += src.s[i][k];
                    t[0][k] += src.t[i][k];
                }
                yy[0] += src.yy[i];
            }
        }

        /** The law at point j (0-based within pool i) through the same factorisation the tables use. */
        double value(int pool, int j, double a, double d, int bi, int ti) {
            PointTerms pt = data.terms[data.start[pool] + j];
            double scale = Math.exp(b[bi] * Math.log(a));
            double f = Math.exp(b[bi] * pt.kernel(form, objective, tau[ti]));
            return form == LawForm.REFERENCE
                    ? scale * Math.exp(b[bi] * pt.lnFirst) * f + d * f
                    : scale * f + d;
        }

        /** A pool's SSE at one grid cell, from the tabulated sums. */
        double sse(int pool, double lnA, double d, int bi, int ti) {
            int k = bi * tau.length + ti;
            double aa = Math.exp(b[bi] * lnA);
            return aa * aa * p[pool][k] + 2 * aa * (d * q[pool][k] - r[pool][k])
                    + d * d * s[pool][k] - 2 * d * t[pool][k] + yy[pool];
        }

        /**
         * Minimises pool i over (b, τ) for every a of the grid at once, d fixed: writes, per a index, the best
         * SSE (Σy² included) to {@code best} and the flat (b, τ) index bi·|τ| + ti to {@code bestK}. The a loop is
         * innermost, so each tabulated row is read once for all a (the tables do not fit in cache). Rows are
         * visited in increasing (b, τ) index with a strict "&lt;", so ties go to the lowest index.
         */
        void minimise(int pool, double[] lnA, double d, double[] best, int[] bestK) {
            double[] pp = p[pool];
            double[] qq = q[pool];
            double[] rr = r[pool];
            double[] ss = s[pool];
            double[] tt = t[pool];
            int na = lnA.length;
            int nt = tau.length;
            double[] a2 = new double[na];
            double[] twoA = new double[na];
            java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(bestK, 0);
            double d2 = d * d;
            double twoD = 2 * d;
            for (int bi = 0; bi < b.length; bi++) {
                for (int ai = 0; ai < na; ai++) {
                    double aa = Math.exp(b[bi] * lnA[ai]);
                    a2[ai] = aa * aa;
                    twoA[ai] = 2 * aa;
                }
                for (int k = bi * nt; k < (bi + 1) * nt; k++) {
                    double pk = pp[k];
                    double ck = d * qq[k] - rr[k];
                    double e1 = d2 * ss[k];
                    double e2 = twoD * tt[k];
                    for (int ai = 0; ai < na; ai++) {
                        double v = a2[ai] * pk + twoA[ai] * ck + e1 - e2;
                        if (v < best[ai]) {
                            best[ai] = v;
                            bestK[ai] = k;
                        }
                    }
                }
            }
            for (int ai = 0; ai < na; ai++) {
                best[ai] += yy[pool];
            }
        }
    }

    /**
     * The best cell of one tie group for every a of the grid, d fixed: {@code best[ai]} its SSE (Σy² included),
     * {@code bIndex[m][ai]} and {@code tauIndex[m][ai]} the b and τ indices of the group's m-th pool.
     */
    record GroupBest(double[] best, int[][] bIndex, int[][] tauIndex) {}

    /**
     * Minimises one tie group over its (b, τ) cells for every a at once. A pool alone, or a group sharing both b
     * and τ (its tables summed: the sums are additive over points), is one (b, τ) plane. A group sharing only b
     * minimises each pool over τ for every b and sums; sharing only τ, each pool over b for every τ. Cells are
     * visited in increasing index with a strict "&lt;", so ties go to the lowest index.
     */
    static GroupBest minimiseGroup(Tables tables, int[] pools, Tie tie, double[] lnA, double d) {
        int na = lnA.length;
        int nb = tables.b.length;
        int nt = tables.tau.length;
        int m = pools.length;
        double[] best = new double[na];
        int[][] bIdx = new int[m][na];
        int[][] tIdx = new int[m][na];
        if (m == 1 || (tie.b() && tie.tau())) {
            Tables t = m == 1 ? tables : tables.merged(pools);
            int unit = m == 1 ? pools[0] : 0;
            int[] k = new int[na];
            t.minimise(unit, lnA, d, best, k);
            for (int i = 0; i < m; i++) {
                for (int ai = 0; ai < na; ai++) {
                    bIdx[i][ai] = k[ai] / nt;
                    tIdx[i][ai] = k[ai] % nt;
                }
            }
            return new GroupBest(best, bIdx, tIdx);
        }
        // one shared axis (b or τ): every pool's best cell along the other axis for each (shared index, a),
        // the tables read in row order; then summed over pools per shared index
        boolean sharedB = tie.b();
        int ns = sharedB ? nb : nt;
        double[][][] inner = new double[m][ns][na];
        int[][][] arg = new int[m][ns][na];
        for (int i = 0; i < m; i++) {
            for (double[] row : inner[i]) {
                java.util.Arrays.fill(row, Double.POSITIVE_INFINITY);
            }
            for (int bi = 0; bi < nb; bi++) {
                for (int ti = 0; ti < nt; ti++) {
                    int si = sharedB ? bi : ti;
                    double[] row = inner[i][si];
                    for (int ai = 0; ai < na; ai++) {
                        double v = tables.sse(pools[i], lnA[ai], d, bi, ti);
                        if (v < row[ai]) {
                            row[ai] = v;
                            arg[i][si][ai] = sharedB ? ti : bi;
                        }
                    }
                }
            }
        }
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        for (int si = 0; si < ns; si++) {
            for (int ai = 0; ai < na; ai++) {
                double total = 0;
                for (int i = 0; i < m; i++) {
                    total += inner[i][si][ai];
                }
                if (total < best[ai]) {
                    best[ai] = total;
                    for (int i = 0; i < m; i++) {
                        bIdx[i][ai] = sharedB ? si : arg[i][si][ai];
                        tIdx[i][ai] = sharedB ? arg[i][si][ai] : si;
                    }
                }
            }
        }
        return new GroupBest(best, bIdx, tIdx);
    }

    static Best run(FitData data, FitOptions opt) {
        double[] a = opt.a().values();
        double[] b = opt.b().values();
        double[] tau = opt.tau().values();
        double[] d = opt.d().stream().mapToDouble(Double::doubleValue).toArray();
        Tables tables = new Tables(data, opt.form(), opt.objective(), b, tau);
        int g = data.groups();
        int na = a.length;
        double[] lnA = new double[na];
        for (int ai = 0; ai < na; ai++) {
            lnA[ai] = Math.log(a[ai]);
        }
        // one task per (d, group); each writes its own slot
        int tasks = d.length * g;
        GroupBest[] taskBest = new GroupBest[tasks];
        java.util.function.IntConsumer task = j -> taskBest[j] =
                minimiseGroup(tables, data.groupPools[j % g], opt.tie(), lnA, d[j / g]);
        if (opt.threads() == 1 || tasks == 1) {
            IntStream.range(0, tasks).forEach(task);
        } else {
            ForkJoinPool pool = new ForkJoinPool(Math.min(opt.threads(), tasks));
            try {
                pool.submit(() -> IntStream.range(0, tasks).parallel().forEach(task)).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("grid search interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("grid search failed: " + e.getCause(), e.getCause());
            } finally {
                pool.shutdown();
            }
        }
        // (d, a) cells: groups summed in group order; the first strict minimum wins
        int bestD = 0;
        int bestA = 0;
        double bestSse = Double.NaN;
        for (int di = 0; di < d.length; di++) {
            for (int ai = 0; ai < na; ai++) {
                double total = 0;
                for (int k = 0; k < g; k++) {
                    total += taskBest[di * g + k].best()[ai];
                }
                if (Double.isNaN(bestSse) || total < bestSse) {
                    bestSse = total;
                    bestD = di;
                    bestA = ai;
                }
            }
        }
        int[] bi = new int[data.pools()];
        int[] ti = new int[data.pools()];
        for (int k = 0; k < g; k++) {
            GroupBest gb = taskBest[bestD * g + k];
            int[] members = data.groupPools[k];
            for (int m = 0; m < members.length; m++) {
                bi[members[m]] = gb.bIndex()[m][bestA];
                ti[members[m]] = gb.tauIndex()[m][bestA];
            }
        }
        long rows = (long) d.length * na * data.pools() * b.length * tau.length;
        return new Best(bestD, bestA, bi, ti, bestSse, rows);
    }
}
