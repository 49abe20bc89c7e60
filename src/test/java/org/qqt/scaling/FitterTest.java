package org.qqt.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

class FitterTest {
    private static final double[] EPOCHS = FitBench.EPOCHS;

    private static List<Observation> data(LawForm form, Objective obj, double sigma, long seed) {
        return FitBench.generate(FitBench.truth(), form, obj, EPOCHS, sigma, seed);
    }

    private static double truthSse(List<Observation> obs, LawForm form, Objective obj) {
        ScalingParams truth = FitBench.truth();
        Law law = truth.law(form).forObjective(obj);
        double s = 0;
        for (Observation o : obs) {
            PoolParams p = truth.pool(o.pool());
            double r = law.error(o.samplesSeen(), o.poolSize(), UtilitySchedule.pool(p.b(), p.tau(), obj)) - o.error();
            s += r * r;
        }
        return s;
    }

    /** Σ (Law.error(params) − observed)², computed independently of the fitter. */
    private static double lawSse(ScalingParams p, List<Observation> obs, LawForm form, Objective obj) {
        Law law = p.law(form).forObjective(obj);
        double s = 0;
        for (Observation o : obs) {
            PoolParams pp = p.pool(o.pool());
            double r = law.error(o.samplesSeen(), o.poolSize(), UtilitySchedule.pool(pp.b(), pp.tau(), obj)) - o.error();
            s += r * r;
        }
        return s;
    }

    private static void assertRecovered(ScalingParams fitted, double bTol, double tauRelTol, String what) {
        ScalingParams truth = FitBench.truth();
        for (int i = 0; i < truth.pools().size(); i++) {
            PoolParams t = truth.pools().get(i);
            PoolParams f = fitted.pools().get(i);
            assertEquals(t.name(), f.name());
            assertEquals(t.b(), f.b(), bTol, what + " b of " + t.name());
            assertEquals(t.tau(), f.tau(), tauRelTol * t.tau(), what + " tau of " + t.name());
        }
    }

    private static final LawForm[] FORMS = {LawForm.ADDITIVE, LawForm.REFERENCE, LawForm.ADDITIVE};
    private static final Objective[] OBJS = {Objective.UTILITY, Objective.UTILITY, Objective.EFFECTIVE_DATA};

    @Test
    void recoversKnownBAndTauFromNoisyObservationsWhenAIsFixedAsTheReferenceDoes() {
        // σ = 0.002, 4 pools × 5 points (epochs 2..10). a fixed at its true value (the reference's finding_tau
        // fixes a after finding_a), d fixed at 0.1: every b within 0.01 and every τ within 15%, seeds 1..10.
        for (int c = 0; c < 2; c++) {
            FitOptions opt = FitOptions.defaults(FORMS[c], OBJS[c], 0.1)
                    .withA(new GridAxis(FitBench.TRUE_A, FitBench.TRUE_A, 1));
            for (long seed = 1; seed <= 10; seed++) {
                FitResult r = Fitter.fit(data(FORMS[c], OBJS[c], 0.002, seed), opt, "test");
                assertEquals(FitBench.TRUE_A, r.params().a());
                assertEquals(8, r.params().fit().freeParameters());
                assertRecovered(r.params(), 0.01, 0.15, FORMS[c] + "/" + OBJS[c] + " seed " + seed);
            }
        }
    }

    @Test
    void effectiveDataRecoversBButItsHalfLifeIsLooserAtTheReferenceNoise() {
        // Effective data: τ only reweights repeated samples inside D_eff, so it is less identified than under the
        // utility objective. With the same data and a fixed, seed 6 puts top0-10's τ at 5.06 (+16%); over seeds
        // 1..20 the worst is +16.1% (docs/scaling-fit.md). The tolerance here is 20%, stated, not hidden.
        FitOptions opt = FitOptions.defaults(LawForm.ADDITIVE, Objective.EFFECTIVE_DATA, 0.1)
                .withA(new GridAxis(FitBench.TRUE_A, FitBench.TRUE_A, 1));
        for (long seed = 1; seed <= 10; seed++) {
            FitResult r = Fitter.fit(data(LawForm.ADDITIVE, Objective.EFFECTIVE_DATA, 0.002, seed), opt, "test");
            assertRecovered(r.params(), 0.01, 0.20, "effective-data seed " + seed);
        }
    }

    @Test
    void withAFreeTheFitBeatsTheTruthAtTheReferenceNoiseAndRecoversEverythingAtLowerNoise() {
        // With a free, σ = 0.002 does not pin b to 0.01: a and b trade off (see docs/scaling-fit.md). The fitter is
        // not the limit: its SSE is below the SSE of the true parameters on every seed.
        for (int c = 0; c < FORMS.length; c++) {
            FitOptions opt = FitOptions.defaults(FORMS[c], OBJS[c], 0.1);
            for (long seed = 1; seed <= 5; seed++) {
                List<Observation> noisy = data(FORMS[c], OBJS[c], 0.002, seed);
                FitResult r = Fitter.fit(noisy, opt, "test");
                assertTrue(r.params().fit().sse() < truthSse(noisy, FORMS[c], OBJS[c]),
                        FORMS[c] + "/" + OBJS[c] + " seed " + seed + ": fit worse than the truth");
                FitResult quiet = Fitter.fit(data(FORMS[c], OBJS[c], 0.0005, seed), opt, "test");
                assertRecovered(quiet.params(), 0.01, 0.15, FORMS[c] + "/" + OBJS[c] + " σ=0.0005 seed " + seed);
                assertEquals(FitBench.TRUE_A, quiet.params().a(), 0.1 * FitBench.TRUE_A, "a, seed " + seed);
            }
        }
    }

    @Test
    void noiselessDataOnGridPointsIsFoundExactlyByTheGrid() {
        double[] aAxis = new GridAxis(1e-4, 0.05, 100).values();
        double[] bAxis = FitOptions.DEFAULT_B.values();
        double[] tAxis = FitOptions.DEFAULT_TAU.values();
        int ai = 43;
        int[] bi = {64, 70, 76, 80};
        int[] ti = {37, 36, 22, 6};
        List<PoolParams> pools = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pools.add(new PoolParams("p" + i, 12.8e6, bAxis[bi[i]], tAxis[ti[i]]));
        }
        ScalingParams truth = new ScalingParams(aAxis[ai], 0.1, 1e5, pools);
        for (int c = 0; c < FORMS.length; c++) {
            List<Observation> obs = FitBench.generate(truth, FORMS[c], OBJS[c], EPOCHS, 0, 1);
            FitResult r = Fitter.fit(obs, FitOptions.defaults(FORMS[c], OBJS[c], 0.1).withRefine(false), "test");
            assertEquals(aAxis[ai], r.params().a(), FORMS[c] + "/" + OBJS[c]);
            for (int i = 0; i < 4; i++) {
                assertEquals(bAxis[bi[i]], r.params().pools().get(i).b(), FORMS[c] + "/" + OBJS[c] + " b" + i);
                assertEquals(tAxis[ti[i]], r.params().pools().get(i).tau(), FORMS[c] + "/" + OBJS[c] + " tau" + i);
            }
            assertTrue(r.params().fit().sse() < 1e-28, "sse " + r.params().fit().sse());
            assertNull(r.params().fit().refined());
        }
    }

    @Test
    void levenbergMarquardtNeverEndsWorseThanTheGridAndReportsTheTrueSse() {
        int improved = 0;
        for (int c = 0; c < FORMS.length; c++) {
            for (List<Double> d : List.of(List.of(0.1), List.of(0.05, 0.1, 0.15))) {
                FitOptions opt = FitOptions.defaults(FORMS[c], OBJS[c], 0.1).withD(d);
                for (long seed = 1; seed <= 4; seed++) {
                    List<Observation> obs = data(FORMS[c], OBJS[c], 0.004, seed);
                    FitResult r = Fitter.fit(obs, opt, "test");
                    FitReport f = r.params().fit();
                    assertTrue(f.sse() <= f.gridSse(), "LM worse than grid: " + f.sse() + " > " + f.gridSse());
                    double direct = lawSse(r.params(), obs, FORMS[c], OBJS[c]);
                    assertEquals(direct, f.sse(), 1e-9 * direct, "reported SSE is the SSE of the reported params");
                    assertEquals(lawSse(r.grid(), obs, FORMS[c], OBJS[c]), f.gridSse(), 1e-9 * f.gridSse());
                    assertEquals(Math.sqrt(f.sse() / obs.size()), f.rmse(), 1e-15);
                    assertEquals(obs.size(), f.residuals().size());
                    if (f.refined()) {
                        improved++;
                        assertTrue(f.sse() < f.gridSse());
                    } else {
                        assertEquals(f.gridSse(), f.sse());
                    }
                }
            }
        }
        assertTrue(improved >= 20, "LM improved only " + improved + " of 24 fits");
    }

    @Test
    void searchedDIsRecoveredAndCountsAsAFreeParameter() {
        FitOptions opt = FitOptions.defaults(LawForm.ADDITIVE, Objective.UTILITY, 0.1)
                .withD(List.of(0.05, 0.08, 0.1, 0.12, 0.15));
        FitResult free = Fitter.fit(data(LawForm.ADDITIVE, Objective.UTILITY, 0.0002, 3), opt, "test");
        assertEquals(10, free.params().fit().freeParameters());
        // with a also free, d trades off against a and b on epochs 2..10; with a fixed it is pinned
        FitResult fixedA = Fitter.fit(data(LawForm.ADDITIVE, Objective.UTILITY, 0.0002, 3),
                opt.withA(new GridAxis(FitBench.TRUE_A, FitBench.TRUE_A, 1)), "test");
        assertEquals(9, fixedA.params().fit().freeParameters());
        assertEquals(0.1, fixedA.params().d(), 0.005);
    }

    @Test
    void twoFitsGiveIdenticalParamsWhateverTheThreadCount() {
        List<Observation> obs = data(LawForm.ADDITIVE, Objective.UTILITY, 0.002, 11);
        FitOptions opt = FitOptions.defaults(LawForm.ADDITIVE, Objective.UTILITY, 0.1)
                .withD(List.of(0.08, 0.1, 0.12)).withBootstrap(40, 5);
        String one = Json.pretty(Fitter.fit(obs, opt.withThreads(1), "test").params());
        String two = Json.pretty(Fitter.fit(obs, opt.withThreads(2), "test").params());
        String again = Json.pretty(Fitter.fit(obs, opt.withThreads(2), "test").params());
        assertEquals(one, two);
        assertEquals(two, again);
        String otherSeed = Json.pretty(Fitter.fit(obs, opt.withBootstrap(40, 6), "test").params());
        assertTrue(!otherSeed.equals(one), "the bootstrap seed must matter");
    }

    @Test
    void bootstrapIntervalsContainTheTruthForANearlyNoiselessFit() {
        for (int c = 0; c < FORMS.length; c++) {
            List<Observation> obs = data(FORMS[c], OBJS[c], 1e-4, 21);
            FitOptions opt = FitOptions.defaults(FORMS[c], OBJS[c], 0.1).withBootstrap(200, 1);
            ScalingParams p = Fitter.fit(obs, opt, "test").params();
            List<FitReport.Interval> iv = p.fit().intervals();
            assertNotNull(iv);
            assertEquals(9, iv.size());
            assertEquals(200, p.bootstrap().size());
            assertEquals(200, p.fit().bootstrapDraws());
            ScalingParams truth = FitBench.truth();
            List<Double> truths = new ArrayList<>(List.of(truth.a()));
            for (PoolParams t : truth.pools()) {
                truths.add(t.b());
                truths.add(t.tau());
            }
            for (int k = 0; k < iv.size(); k++) {
                FitReport.Interval i = iv.get(k);
                assertTrue(i.low() <= truths.get(k) && truths.get(k) <= i.high(),
                        FORMS[c] + "/" + OBJS[c] + " " + i + " misses " + truths.get(k));
                assertTrue(i.low() <= i.estimate() && i.estimate() <= i.high(), i.toString());
                assertTrue(i.high() - i.low() < (i.parameter().startsWith("tau") ? 1.0 : 0.01), "too wide: " + i);
            }
        }
    }

    @Test
    void poolsComeOutInTheRequestedOrder() {
        List<Observation> obs = data(LawForm.ADDITIVE, Objective.UTILITY, 0.001, 2);
        FitOptions opt = FitOptions.defaults(LawForm.ADDITIVE, Objective.UTILITY, 0.1)
                .withPools(List.of("top30-40", "top0-10", "top20-30", "top10-20"));
        ScalingParams p = Fitter.fit(obs, opt, "test").params();
        assertEquals(List.of("top30-40", "top0-10", "top20-30", "top10-20"),
                p.pools().stream().map(PoolParams::name).toList());
        assertEquals(-0.10, p.pool("top30-40").b(), 0.02);
        ScalingParams two = Fitter.fit(obs, opt.withPools(List.of("top10-20", "top0-10")), "test").params();
        assertEquals(2, two.pools().size());
        assertEquals(10, two.fit().points());
    }

    @Test
    void badInputIsOneLineNamingTheProblem() {
        FitOptions opt = FitOptions.defaults(LawForm.ADDITIVE, Objective.UTILITY, 0.1);
        List<Observation> two = List.of(new Observation("x", 1e7, 2e7, 0.8), new Observation("x", 1e7, 4e7, 0.7));
        BadInputException few = assertThrows(BadInputException.class, () -> Fitter.fit(two, opt, "t"));
        assertTrue(few.getMessage().contains("2 observations but 3 free parameters"), few.getMessage());
        List<Observation> mixed = List.of(new Observation("x", 1e7, 2e7, 0.8), new Observation("x", 2e7, 4e7, 0.7),
                new Observation("x", 1e7, 6e7, 0.6));
        assertTrue(assertThrows(BadInputException.class, () -> Fitter.fit(mixed, opt, "t")).getMessage()
                .contains("inconsistent sizes"));
        assertThrows(BadInputException.class, () -> Fitter.fit(List.of(), opt, "t"));
        List<Observation> nan = List.of(new Observation("x", 1e7, 2e7, Double.NaN));
        assertTrue(assertThrows(BadInputException.class, () -> Fitter.fit(nan, opt, "t")).getMessage()
                .contains("[0, 1]"));
        List<Observation> three = List.of(new Observation("x", 1e7, 2e7, 0.8), new Observation("x", 1e7, 4e7, 0.7),
                new Observation("x", 1e7, 6e7, 0.6));
        assertTrue(assertThrows(BadInputException.class,
                () -> Fitter.fit(three, opt.withPools(List.of("y")), "t")).getMessage().contains("'y'"));
        for (BadInputException e : List.of(few)) {
            assertTrue(e.getMessage().lines().count() == 1);
        }
    }

    @Test
    void anOptimumOnTheGridEdgeIsReportedAsAWarning() {
        FitOptions tooLowA = FitOptions.defaults(LawForm.ADDITIVE, Objective.UTILITY, 0.1)
                .withA(new GridAxis(1e-4, 0.002, 100));
        FitReport f = Fitter.fit(data(LawForm.ADDITIVE, Objective.UTILITY, 0.0005, 1), tooLowA, "t").params().fit();
        assertNotNull(f.warnings());
        assertTrue(f.warnings().stream().anyMatch(w -> w.contains("raise --a-max")), f.warnings().toString());
        FitReport fine = Fitter.fit(data(LawForm.ADDITIVE, Objective.UTILITY, 0.0005, 1),
                FitOptions.defaults(LawForm.ADDITIVE, Objective.UTILITY, 0.1), "t").params().fit();
        assertNull(fine.warnings(), String.valueOf(fine.warnings()));
    }

    @Test
    void aPoolThatRepetitionDoesNotHurtGetsAFiniteHalfLifeInEveryBootstrapDraw() {
        // two pools whose error keeps falling as a plain power law however often they repeat: the best τ is
        // "infinite", which Levenberg-Marquardt used to reach as exp(ln τ) = ∞ in some bootstrap draws
        java.util.Random r = new java.util.Random(4);
        List<Observation> obs = new ArrayList<>();
        for (String pool : List.of("p0", "p1")) {
            for (int epochs : new int[] {2, 5, 10, 20}) {
                double seen = 4_000.0 * epochs;
                double b = pool.equals("p0") ? -0.45 : -0.3;
                obs.add(new Observation(pool, 4_000, seen, Math.pow(2.0 * seen / 1e4, b) + 0.05 + 0.003 * r.nextGaussian()));
            }
        }
        FitOptions opt = new FitOptions(LawForm.ADDITIVE, Objective.UTILITY, 1e4, List.of(0.05),
                new GridAxis(1e-4, 5, 40), new GridAxis(-1.5, -0.01, 40), new GridAxis(1, 100, 40), true, 100, 7, 2,
                null);
        ScalingParams p = Fitter.fit(obs, opt, "test").params();
        assertEquals(null, p.problem());
        assertEquals(100, p.bootstrap().size());
        for (ScalingParams.BootstrapDraw draw : p.bootstrap()) {
            for (double tau : draw.tau()) {
                assertTrue(tau > 0 && tau <= FitModel.TAU_MAX, "tau " + tau);
            }
            assertEquals(null, draw.apply(p).problem());
        }
    }

    @Test
    void aBootstrapRefitWhoseAUnderflowsToZeroOrWhoseTauIsNotFiniteIsNotUsable() {
        FitData data = FitData.of(List.of(new Observation("x", 1e7, 2e7, 0.8), new Observation("x", 1e7, 4e7, 0.7),
                new Observation("x", 1e7, 8e7, 0.65)), null, 1e5);
        FitModel model = new FitModel(data, LawForm.ADDITIVE, Objective.UTILITY, true, 0, false, 0.1);
        // θ = (ln a, b, ln τ): the figure5 mini's degenerate draws had ln a far below exp's range (a = 0.0)
        assertTrue(Fitter.usable(model, new double[] {Math.log(2.25), -0.3, Math.log(5)}));
        assertTrue(!Fitter.usable(model, new double[] {-800, -0.3, Math.log(5)}), "a = exp(-800) = 0");
        assertTrue(!Fitter.usable(model, new double[] {Math.log(2.25), Double.NaN, Math.log(5)}), "b NaN");
        assertTrue(!Fitter.usable(model, new double[] {Math.log(2.25), -0.3, -800}), "tau = 0");
    }
}
