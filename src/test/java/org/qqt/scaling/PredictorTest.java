package org.qqt.scaling;

import static org.qqt.testutil.Approx.assertRel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qqt.io.BadInputException;

class PredictorTest {
    private static final double BUCKET = 12_800_000;
    private static final double[] BUDGETS = {1.6e6, 12.8e6, 32e6, 64e6, 128e6, 256e6, 640e6, 2e9};

    /** CLIP score, ImageNet (paper Fig. 9): b not monotone in rank, and a tie at b = −0.14. */
    static ScalingParams clip() {
        return new ScalingParams(0.021, 0.1, 100_000, List.of(
                new PoolParams("top0-10", BUCKET, -0.14, 3.55),
                new PoolParams("top10-20", BUCKET, -0.15, 3.09),
                new PoolParams("top20-30", BUCKET, -0.14, 2.64),
                new PoolParams("top30-40", BUCKET, -0.12, 2.18),
                new PoolParams("top40-50", BUCKET, -0.11, 1.45)));
    }

    static ScalingParams tmars() {
        return new ScalingParams(0.022, 0.1, 100_000, List.of(
                new PoolParams("top0-10", BUCKET, -0.18, 4.36),
                new PoolParams("top10-20", BUCKET, -0.15, 4.27),
                new PoolParams("top20-30", BUCKET, -0.12, 3.00),
                new PoolParams("top30-40", BUCKET, -0.10, 1.55)));
    }

    // ---- the reference code's estimate_best_buckets, written out by hand (independent of Law/UtilitySchedule) --

    /** func_effective_utility_aggregation with c_i already multiplied by k: d inside, plain mean of b_i·0.5^(e/c_i). */
    private static double refUtilityAggregation(double s, double a, double[] b, double[] c, double d, double spe) {
        long last = (long) Math.floor(s / spe);
        double y = 0;
        for (long e = 0; e <= last; e++) {
            double be = 0;
            for (int i = 0; i < b.length; i++) {
                be += b[i] * Math.pow(0.5, e / c[i]);
            }
            be /= b.length;
            double nNext = a * Math.min(spe * (e + 1), s) / 1e5;
            if (e == 0) {
                y = Math.pow(nNext, be) + d;
            } else {
                double nPrev = a * spe * e / 1e5;
                y *= Math.pow(nNext / nPrev, be);
            }
        }
        return y;
    }

    /** func_effective_data_aggregation: δ-weighted b, effective samples accumulated with mean δ_i^e, d at the end. */
    private static double refEffectiveDataAggregation(double s, double a, double[] b, double[] c, double d,
                                                      double spe) {
        long last = (long) Math.floor(s / spe);
        double eff = 0;
        double prod = 1;
        for (long e = 0; e <= last; e++) {
            double num = 0;
            double den = 0;
            for (int i = 0; i < b.length; i++) {
                double delta = Math.pow(Math.pow(0.5, 1.0 / c[i]), e);
                num += b[i] * delta;
                den += delta;
            }
            double be = num / den;
            double meanDelta = den / b.length;
            double fresh = a * (Math.min(spe * (e + 1), s) - spe * e) / 1e5;
            if (e == 0) {
                eff = fresh;
                prod = Math.pow(eff, be);
            } else if (fresh > 0) {
                double next = eff + fresh * meanDelta;
                prod *= Math.pow(next / eff, be);
                eff = next;
            }
        }
        return prod + d;
    }

    /** estimate_best_buckets: sort by b (argsort), k = 1..p first pools, c·k, spe = 12.8M·k. error[k-1][budget]. */
    private static double[][] refEstimateBestBuckets(ScalingParams p, double[] budgets, boolean utility) {
        List<PoolParams> sorted = new ArrayList<>(p.pools());
        sorted.sort(Comparator.comparingDouble(PoolParams::b));
        double[][] out = new double[sorted.size()][budgets.length];
        for (int k = 1; k <= sorted.size(); k++) {
            double[] b = new double[k];
            double[] c = new double[k];
            for (int i = 0; i < k; i++) {
                b[i] = sorted.get(i).b();
                c[i] = sorted.get(i).tau() * k;
            }
            for (int j = 0; j < budgets.length; j++) {
                out[k - 1][j] = utility
                        ? refUtilityAggregation(budgets[j], p.a(), b, c, p.d(), BUCKET * k)
                        : refEffectiveDataAggregation(budgets[j], p.a(), b, c, p.d(), BUCKET * k);
            }
        }
        return out;
    }

    @Test
    void referenceFormWithPoolsSortedByBEqualsEstimateBestBucketsForUtility() {
        for (ScalingParams p : List.of(tmars(), clip())) {
            double[][] ref = refEstimateBestBuckets(p, BUDGETS, true);
            List<Mixture> ms = Mixture.prefixes(p, MixtureOrder.B);
            Predictor pred = new Predictor(p, LawForm.REFERENCE, Objective.UTILITY);
            for (int k = 0; k < ms.size(); k++) {
                for (int j = 0; j < BUDGETS.length; j++) {
                    assertRel(ref[k][j], pred.error(ms.get(k), BUDGETS[j]), 1e-12,
                            ms.get(k).name() + " @ " + BUDGETS[j]);
                }
            }
            assertBestMatches(ref, pred.predict(ms, boxed(BUDGETS)), ms);
        }
    }

    @Test
    void effectiveDataWithPoolsSortedByBEqualsEstimateBestBucketsForEffectiveData() {
        for (ScalingParams p : List.of(tmars(), clip())) {
            double[][] ref = refEstimateBestBuckets(p, BUDGETS, false);
            List<Mixture> ms = Mixture.prefixes(p, MixtureOrder.B);
            // the reference adds d at the end for effective data, whatever the utility form
            for (LawForm form : LawForm.values()) {
                Predictor pred = new Predictor(p, form, Objective.EFFECTIVE_DATA);
                for (int k = 0; k < ms.size(); k++) {
                    for (int j = 0; j < BUDGETS.length; j++) {
                        assertRel(ref[k][j], pred.error(ms.get(k), BUDGETS[j]), 1e-12,
                                form + " " + ms.get(k).name() + " @ " + BUDGETS[j]);
                    }
                }
                assertBestMatches(ref, pred.predict(ms, boxed(BUDGETS)), ms);
            }
        }
    }

    private static void assertBestMatches(double[][] ref, Prediction pr, List<Mixture> ms) {
        for (int j = 0; j < BUDGETS.length; j++) {
            int arg = 0;
            for (int k = 1; k < ref.length; k++) {
                if (ref[k][j] < ref[arg][j]) {
                    arg = k;
                }
            }
            assertEquals(ms.get(arg).name(), pr.best().get(j), "best @ " + BUDGETS[j]);
        }
    }

    @Test
    void additiveFormDiffersFromTheReferenceAfterTheFirstEpoch() {
        ScalingParams p = tmars();
        Mixture top2 = Mixture.prefixes(p, MixtureOrder.RANK).get(1);
        double add = new Predictor(p, LawForm.ADDITIVE, Objective.UTILITY).error(top2, 128e6);
        double ref = new Predictor(p, LawForm.REFERENCE, Objective.UTILITY).error(top2, 128e6);
        assertTrue(ref < add - 1e-3, "reference multiplies d by ratios < 1: " + ref + " vs " + add);
    }

    @Test
    void oneMixturePoolEqualsThePoolAlone() {
        ScalingParams p = tmars();
        for (PoolParams pool : p.pools()) {
            Mixture m = Mixture.parse(pool.name(), p);
            assertEquals(pool.name(), m.name());
            for (LawForm form : LawForm.values()) {
                for (Objective obj : Objective.values()) {
                    Predictor pred = new Predictor(p, form, obj);
                    Law law = p.law(form).forObjective(obj);
                    UtilitySchedule alone = UtilitySchedule.pool(pool.b(), pool.tau(), obj);
                    for (double s : BUDGETS) {
                        assertEquals(law.error(s, pool.size(), alone), pred.error(m, s), 1e-14,
                                pool.name() + " " + form + "/" + obj + " @ " + s);
                    }
                }
            }
        }
    }

    @Test
    void mixtureUsesSummedSizeAndStretchedHalfLives() {
        // unequal sizes: N̂ = 30M, τ̂ = (30/10)·τ_a and (30/20)·τ_b; check against the schedule built by hand
        ScalingParams p = new ScalingParams(0.022, 0.1, 100_000, List.of(
                new PoolParams("a", 10e6, -0.2, 2.0), new PoolParams("b", 20e6, -0.1, 4.0)));
        Mixture m = Mixture.parse("a+b", p);
        assertEquals(30e6, m.size());
        UtilitySchedule byHand = new UtilitySchedule.MergedPools(new double[] {-0.2, -0.1}, new double[] {6.0, 6.0}, true);
        Law law = p.law(LawForm.ADDITIVE);
        for (double s : BUDGETS) {
            assertEquals(law.error(s, 30e6, byHand),
                    new Predictor(p, LawForm.ADDITIVE, Objective.UTILITY).error(m, s), 1e-14);
        }
    }

    @Test
    void rankOrderKeepsTheFileOrderAndBOrderSortsAscendingWithStableTies() {
        ScalingParams p = clip();
        assertEquals(List.of("top0-10", "top0-10+top10-20", "top0-10+top10-20+top20-30",
                        "top0-10+top10-20+top20-30+top30-40", "top0-10+top10-20+top20-30+top30-40+top40-50"),
                Mixture.prefixes(p, MixtureOrder.RANK).stream().map(Mixture::name).toList());
        // b: top10-20 (−0.15) first; top0-10 and top20-30 tie at −0.14 and keep file order
        assertEquals(List.of("top10-20", "top10-20+top0-10", "top10-20+top0-10+top20-30",
                        "top10-20+top0-10+top20-30+top30-40", "top10-20+top0-10+top20-30+top30-40+top40-50"),
                Mixture.prefixes(p, MixtureOrder.B).stream().map(Mixture::name).toList());
        // and the two orders really predict different things for k = 1
        Predictor pred = new Predictor(p, LawForm.ADDITIVE, Objective.UTILITY);
        assertTrue(Math.abs(pred.error(Mixture.prefixes(p, MixtureOrder.RANK).get(0), 64e6)
                - pred.error(Mixture.prefixes(p, MixtureOrder.B).get(0), 64e6)) > 1e-4);
    }

    @Test
    void bestPerBudgetPicksTheSmallCleanPoolAtLowComputeAndTheLargePoolAtHighCompute() {
        // "clean": 1M samples, very useful, fast decay; "big": 100M samples, less useful, slow decay. a = 1 keeps n > 1.
        ScalingParams p = new ScalingParams(1.0, 0.05, 100_000, List.of(
                new PoolParams("clean", 1e6, -0.25, 1.0), new PoolParams("big", 100e6, -0.10, 10.0)));
        List<Mixture> ms = List.of(Mixture.parse("clean", p), Mixture.parse("big", p));
        List<Double> budgets = List.of(1e6, 2e6, 50e6, 1e9);
        Prediction pr = new Predictor(p, LawForm.ADDITIVE, Objective.UTILITY).predict(ms, budgets);
        Law law = p.law(LawForm.ADDITIVE);
        for (int j = 0; j < budgets.size(); j++) {
            double clean = law.error(budgets.get(j), 1e6, UtilitySchedule.pool(-0.25, 1.0, Objective.UTILITY));
            double big = law.error(budgets.get(j), 100e6, UtilitySchedule.pool(-0.10, 10.0, Objective.UTILITY));
            assertEquals(clean, pr.mixtures().get(0).error()[j], 1e-15);
            assertEquals(big, pr.mixtures().get(1).error()[j], 1e-15);
            assertEquals(clean <= big ? "clean" : "big", pr.best().get(j));
        }
        assertEquals("clean", pr.best().get(0));
        assertEquals("big", pr.best().get(3));
        assertNull(pr.mixtures().get(0).low(), "no bootstrap draws: no bands");
    }

    @Test
    void bootstrapDrawsGiveBandsAroundThePrediction() {
        ScalingParams base = tmars();
        List<ScalingParams.BootstrapDraw> draws = new ArrayList<>();
        for (int k = 0; k < 41; k++) {
            double t = (k - 20) / 20.0; // −1 … 1
            draws.add(new ScalingParams.BootstrapDraw(0.022 * (1 + 0.05 * t), 0.1, List.of(-0.18 + 0.01 * t, -0.15,
                    -0.12, -0.10), List.of(4.36 + 0.3 * t, 4.27, 3.0, 1.55)));
        }
        ScalingParams p = new ScalingParams(base.a(), base.d(), base.normalizer(), base.pools(), null, draws);
        Prediction pr = new Predictor(p, LawForm.ADDITIVE, Objective.UTILITY)
                .predict(Mixture.prefixes(p, MixtureOrder.RANK), List.of(32e6, 640e6));
        Prediction.Curve top1 = pr.mixtures().get(0);
        assertNotNull(top1.low());
        for (int j = 0; j < 2; j++) {
            assertTrue(top1.low()[j] < top1.error()[j] && top1.error()[j] < top1.high()[j],
                    top1.low()[j] + " < " + top1.error()[j] + " < " + top1.high()[j]);
        }
        // the percentile is numpy's linear interpolation
        assertEquals(2.5, Predictor.percentile(new double[] {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 2.5), 1e-12);
        assertEquals(97.5, Predictor.percentile(new double[] {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 97.5),
                1e-12);
    }

    @Test
    void unknownPoolInAMixtureIsBadInputNamingTheKnownPools() {
        BadInputException e = assertThrows(BadInputException.class, () -> Mixture.parse("top0-10+top99", tmars()));
        assertTrue(e.getMessage().contains("top99") && e.getMessage().contains("top30-40"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
        assertThrows(BadInputException.class, () -> Mixture.parse("top0-10+top0-10", tmars()));
    }

    private static List<Double> boxed(double[] xs) {
        List<Double> out = new ArrayList<>();
        for (double x : xs) {
            out.add(x);
        }
        return out;
    }
}
