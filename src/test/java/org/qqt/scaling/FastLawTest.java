package org.qqt.scaling;

import static org.qqt.testutil.Approx.assertRel;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fitter's factorised evaluation (PointTerms, the grid tables, the Jacobian) against {@link Law#error}. */
class FastLawTest {
    private static final double N0 = 100_000;

    /** Samples seen that hit every case: inside the first epoch, on a boundary, partial last epoch, many epochs. */
    private static double samples(Random rnd, double e) {
        return switch (rnd.nextInt(4)) {
            case 0 -> e * (0.05 + 0.9 * rnd.nextDouble());
            case 1 -> e * (1 + rnd.nextInt(30));
            case 2 -> Math.rint(e * (1 + 40 * rnd.nextDouble()));
            default -> e * (1 + rnd.nextInt(8)) + 1;
        };
    }

    @Test
    void pointTermsEqualLawErrorForRandomParametersInEveryFormAndObjective() {
        Random rnd = new Random(42);
        int checked = 0;
        for (LawForm form : LawForm.values()) {
            for (Objective obj : Objective.values()) {
                for (int k = 0; k < 2000; k++) {
                    double e = Math.rint(1e5 + 5e7 * rnd.nextDouble());
                    double s = samples(rnd, e);
                    double a = 1e-4 + 0.1 * rnd.nextDouble();
                    double b = -0.5 + 0.495 * rnd.nextDouble();
                    double tau = 0.5 + 20 * rnd.nextDouble();
                    double d = 0.3 * rnd.nextDouble();
                    double expected = new Law(form, a, d, N0).forObjective(obj)
                            .error(s, e, UtilitySchedule.pool(b, tau, obj));
                    PointTerms t = new PointTerms(e, s, N0);
                    LawForm evaluated = obj == Objective.EFFECTIVE_DATA ? LawForm.ADDITIVE : form;
                    double got = t.value(evaluated, obj, Math.log(a), b, tau, d, null);
                    assertRel(expected, got, 1e-12, form + "/" + obj + " E=" + e + " S=" + s + " a=" + a
                            + " b=" + b + " tau=" + tau + " d=" + d);
                    checked++;
                }
            }
        }
        assertEquals(8000, checked);
    }

    @Test
    void gridTablesEqualLawErrorAndTheirQuadraticSseEqualsThePointwiseSse() {
        Random rnd = new Random(7);
        for (LawForm form : LawForm.values()) {
            for (Objective obj : Objective.values()) {
                List<Observation> obs = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    double e = Math.rint(1e6 + 2e7 * rnd.nextDouble());
                    for (int j = 0; j < 4 + i; j++) {
                        obs.add(new Observation("p" + i, e, samples(rnd, e), 0.2 + 0.7 * rnd.nextDouble()));
                    }
                }
                FitData data = FitData.of(obs, null, N0);
                double[] b = FitOptions.DEFAULT_B.values();
                double[] tau = FitOptions.DEFAULT_TAU.values();
                GridSearch.Tables tables = new GridSearch.Tables(data, form, obj, b, tau);
                for (int k = 0; k < 300; k++) {
                    int pool = rnd.nextInt(3);
                    int bi = rnd.nextInt(b.length);
                    int ti = rnd.nextInt(tau.length);
                    double a = 1e-4 + 0.05 * rnd.nextDouble();
                    double d = 0.2 * rnd.nextDouble();
                    Law law = new Law(form, a, d, N0).forObjective(obj);
                    UtilitySchedule sched = UtilitySchedule.pool(b[bi], tau[ti], obj);
                    double sse = 0;
                    double yy = 0;
                    for (int j = data.start[pool]; j < data.start[pool + 1]; j++) {
                        Observation o = data.points[j];
                        double expected = law.error(o.samplesSeen(), o.poolSize(), sched);
                        assertRel(expected, tables.value(pool, j - data.start[pool], a, d, bi, ti), 1e-12,
                                form + "/" + obj + " table value");
                        sse += (expected - o.error()) * (expected - o.error());
                        yy += o.error() * o.error();
                    }
                    double quad = tables.sse(pool, Math.log(a), d, bi, ti);
                    assertEquals(sse, quad, 1e-13 * Math.max(1, yy + sse), form + "/" + obj + " quadratic SSE");
                }
            }
        }
    }

    @Test
    void analyticJacobianMatchesCentralDifferences() {
        Random rnd = new Random(3);
        for (LawForm form : LawForm.values()) {
            for (Objective obj : Objective.values()) {
                LawForm evaluated = obj == Objective.EFFECTIVE_DATA ? LawForm.ADDITIVE : form;
                for (int k = 0; k < 200; k++) {
                    double e = Math.rint(1e6 + 2e7 * rnd.nextDouble());
                    PointTerms t = new PointTerms(e, samples(rnd, e), N0);
                    double[] x = {Math.log(0.005 + 0.05 * rnd.nextDouble()), -0.4 * rnd.nextDouble() - 0.01,
                            Math.log(1 + 9 * rnd.nextDouble()), 0.2 * rnd.nextDouble()};
                    double[] grad = new double[4];
                    t.value(evaluated, obj, x[0], x[1], Math.exp(x[2]), x[3], grad);
                    for (int p = 0; p < 4; p++) {
                        double h = 1e-6;
                        double[] up = x.clone();
                        double[] dn = x.clone();
                        up[p] += h;
                        dn[p] -= h;
                        double fd = (t.value(evaluated, obj, up[0], up[1], Math.exp(up[2]), up[3], null)
                                - t.value(evaluated, obj, dn[0], dn[1], Math.exp(dn[2]), dn[3], null)) / (2 * h);
                        assertEquals(fd, grad[p], 1e-6 * Math.max(1, Math.abs(fd)), form + "/" + obj + " d/dθ" + p);
                    }
                }
            }
        }
    }

    @Test
    void fitModelJacobianMatchesCentralDifferencesForEveryParameterLayout() {
        List<Observation> obs = FitBench.generate(FitBench.truth(), LawForm.ADDITIVE, Objective.UTILITY,
                FitBench.EPOCHS, 0.001, 1);
        FitData data = FitData.of(obs, null, N0);
        for (LawForm form : LawForm.values()) {
            for (boolean aFree : new boolean[] {true, false}) {
                for (boolean dFree : new boolean[] {true, false}) {
                    FitModel m = new FitModel(data, form, Objective.UTILITY, aFree, 0.022, dFree, 0.1);
                    assertEquals(8 + (aFree ? 1 : 0) + (dFree ? 1 : 0), m.dim());
                    double[] theta = m.theta(0.02, 0.12, new double[] {-0.2, -0.15, -0.1, -0.09},
                            new double[] {4, 3.5, 2.5, 1.5});
                    double[][] jac = new double[data.size()][m.dim()];
                    m.values(theta, jac);
                    for (int k = 0; k < m.dim(); k++) {
                        double[] up = theta.clone();
                        double[] dn = theta.clone();
                        up[k] += 1e-6;
                        dn[k] -= 1e-6;
                        double[] fu = m.values(up, null);
                        double[] fd = m.values(dn, null);
                        for (int j = 0; j < data.size(); j++) {
                            assertEquals((fu[j] - fd[j]) / 2e-6, jac[j][k], 1e-6,
                                    form + " aFree=" + aFree + " dFree=" + dFree + " θ" + k + " point " + j);
                        }
                    }
                }
            }
        }
    }
}
