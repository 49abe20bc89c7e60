package org.qqt.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.qqt.io.BadInputException;

/** Tied pool parameters (--tie) and cross-validation on data generated from known parameters. */
class TiedFitTest {
    private static final double[] SEEN = {40e6, 120e6, 300e6, 600e6};

    /** Points of every pool of {@code truth} at {@link #SEEN}, noise N(0, σ²), each tagged with {@code groups}. */
    static List<Observation> generate(ScalingParams truth, String[] groups, double sigma, long seed) {
        Random rnd = new Random(seed);
        Law law = truth.law(LawForm.ADDITIVE);
        List<Observation> out = new ArrayList<>();
        for (int i = 0; i < truth.pools().size(); i++) {
            PoolParams p = truth.pools().get(i);
            UtilitySchedule s = UtilitySchedule.pool(p.b(), p.tau(), Objective.UTILITY);
            for (double seen : SEEN) {
                out.add(new Observation(p.name(), p.size(), seen,
                        law.error(seen, p.size(), s) + sigma * rnd.nextGaussian(), groups == null ? null : groups[i]));
            }
        }
        return out;
    }

    private static ScalingParams truth(double[] b, double[] tau) {
        double[] sizes = {10e6, 30e6, 100e6, 20e6};
        List<PoolParams> pools = new ArrayList<>();
        for (int i = 0; i < b.length; i++) {
            pools.add(new PoolParams("p" + i, sizes[i], b[i], tau[i]));
        }
        return new ScalingParams(0.02, 0.1, Law.DEFAULT_NORMALIZER, pools);
    }

    private static FitOptions options(Tie tie, List<Double> d) {
        return FitOptions.defaults(LawForm.ADDITIVE, Objective.UTILITY, 0.1).withD(d).withTie(tie).withThreads(2);
    }

    private static void assertPools(ScalingParams truth, ScalingParams fitted, double bTol, double tauRel) {
        for (int i = 0; i < truth.pools().size(); i++) {
            PoolParams t = truth.pools().get(i);
            PoolParams f = fitted.pool(t.name());
            assertEquals(t.b(), f.b(), bTol, "b of " + t.name());
            assertEquals(t.tau(), f.tau(), tauRel * t.tau(), "tau of " + t.name());
        }
    }

    @Test
    void allPoolsSharingBAndTauRecoverTheSharedValuesAndAAndD() {
        ScalingParams truth = truth(new double[] {-0.2, -0.2, -0.2}, new double[] {3, 3, 3});
        List<Observation> obs = generate(truth, null, 1e-5, 1);
        FitResult r = Fitter.fit(obs, options(new Tie(true, true), List.of(0.05, 0.08, 0.1, 0.12, 0.15)), "test");
        ScalingParams p = r.params();
        assertPools(truth, p, 0.005, 0.05);
        assertEquals(0.02, p.a(), 0.002);
        assertEquals(0.1, p.d(), 0.003);
        assertEquals(4, p.fit().freeParameters()); // a, d, one b, one tau
        assertEquals(List.of("b", "tau"), p.fit().tied().parameters());
        assertEquals(1, p.fit().tied().groups().size());
        assertEquals("all", p.fit().tied().groups().get(0).name());
        assertEquals(p.pools().get(0).b(), p.pools().get(2).b(), 0.0);
        assertEquals(p.pools().get(0).tau(), p.pools().get(2).tau(), 0.0);
    }

    @Test
    void groupsShareWithinAndNotAcross() {
        ScalingParams truth = truth(new double[] {-0.2, -0.2, -0.12, -0.12}, new double[] {4, 4, 1.8, 1.8});
        List<Observation> obs = generate(truth, new String[] {"g1", "g1", "g2", "g2"}, 1e-5, 2);
        FitResult r = Fitter.fit(obs, options(new Tie(true, true), List.of(0.1)), "test");
        assertPools(truth, r.params(), 0.005, 0.05);
        assertEquals(5, r.params().fit().freeParameters()); // a, 2 b, 2 tau
        assertEquals(List.of("p0", "p1"), r.params().fit().tied().groups().get(0).pools());
        assertEquals("g2", r.params().fit().tied().groups().get(1).name());
    }

    @Test
    void sharedBWithPerPoolTauAndSharedTauWithPerPoolB() {
        ScalingParams sharedB = truth(new double[] {-0.18, -0.18, -0.18}, new double[] {1.5, 3, 6});
        FitResult rb = Fitter.fit(generate(sharedB, null, 1e-5, 3), options(new Tie(true, false), List.of(0.1)), "t");
        assertPools(sharedB, rb.params(), 0.005, 0.05);
        assertEquals(1 + 1 + 3, rb.params().fit().freeParameters());

        ScalingParams sharedTau = truth(new double[] {-0.25, -0.18, -0.12}, new double[] {2.5, 2.5, 2.5});
        FitResult rt = Fitter.fit(generate(sharedTau, null, 1e-5, 4), options(new Tie(false, true), List.of(0.1)), "t");
        assertPools(sharedTau, rt.params(), 0.005, 0.05);
        assertEquals(1 + 3 + 1, rt.params().fit().freeParameters());
    }

    @Test
    void theGridOfATiedFitIsTheBestCellOfTheTiedGrid() {
        // brute force over the tied cells (a, b, tau) with the law itself, on a coarse grid
        ScalingParams truth = truth(new double[] {-0.2, -0.2, -0.2}, new double[] {3, 3, 3});
        List<Observation> obs = generate(truth, null, 0.003, 5);
        FitOptions opt = options(new Tie(true, true), List.of(0.1)).withA(new GridAxis(0.005, 0.05, 10))
                .withRefine(false);
        opt = new FitOptions(opt.form(), opt.objective(), opt.normalizer(), opt.d(), opt.a(),
                new GridAxis(-0.4, -0.05, 8), new GridAxis(1, 8, 8), false, 0, 0, 1, null, opt.tie());
        ScalingParams grid = Fitter.fit(obs, opt, "t").grid();
        double best = Double.POSITIVE_INFINITY;
        double[] arg = null;
        for (double a : opt.a().values()) {
            for (double b : opt.b().values()) {
                for (double tau : opt.tau().values()) {
                    Law law = new Law(LawForm.ADDITIVE, a, 0.1, Law.DEFAULT_NORMALIZER);
                    double sse = 0;
                    for (Observation o : obs) {
                        double r = law.error(o.samplesSeen(), o.poolSize(), UtilitySchedule.pool(b, tau,
                                Objective.UTILITY)) - o.error();
                        sse += r * r;
                    }
                    if (sse < best) {
                        best = sse;
                        arg = new double[] {a, b, tau};
                    }
                }
            }
        }
        assertNotNull(arg);
        assertEquals(arg[0], grid.a(), 1e-12);
        for (PoolParams p : grid.pools()) {
            assertEquals(arg[1], p.b(), 1e-12);
            assertEquals(arg[2], p.tau(), 1e-12);
        }
    }

    @Test
    void tooFewPointsPerPoolWithoutTyingButEnoughWithIt() {
        ScalingParams truth = truth(new double[] {-0.2, -0.2, -0.2}, new double[] {3, 3, 3});
        List<Observation> obs = generate(truth, null, 1e-4, 6).stream().filter(o -> o.samplesSeen() < 200e6).toList();
        assertThrows(BadInputException.class, () -> Fitter.fit(obs, options(Tie.NONE, List.of(0.05, 0.1)), "t"));
        assertNotNull(Fitter.fit(obs, options(new Tie(true, true), List.of(0.05, 0.1)), "t"));
    }

    @Test
    void leaveOneOutAndExtrapolateEqualRefittingByHand() {
        ScalingParams truth = truth(new double[] {-0.2, -0.2, -0.2}, new double[] {3, 3, 3});
        List<Observation> obs = generate(truth, null, 0.004, 7);
        FitOptions opt = options(new Tie(true, true), List.of(0.06, 0.1, 0.14));
        CrossValidation cv = CrossValidation.run(obs, opt);
        assertNull(cv.notes());
        assertEquals(obs.size(), cv.leaveOneOut().points().size());
        double sum = 0;
        for (int i = 0; i < obs.size(); i++) {
            List<Observation> rest = new ArrayList<>(obs);
            Observation held = rest.remove(i);
            double pred = predict(Fitter.fit(rest, opt, "hand").params(), held);
            CrossValidation.Point pt = cv.leaveOneOut().points().get(i);
            assertEquals(held.samplesSeen(), pt.samplesSeen(), 0.0);
            assertEquals(pred, pt.predicted(), 1e-12);
            sum += Math.abs(pred - held.error());
        }
        assertEquals(sum / obs.size(), cv.leaveOneOut().mae(), 1e-12);

        List<Observation> train = obs.stream().filter(o -> o.samplesSeen() < 600e6).toList();
        ScalingParams fit = Fitter.fit(train, opt, "hand").params();
        List<Observation> held = obs.stream().filter(o -> o.samplesSeen() == 600e6).toList();
        assertEquals(held.size(), cv.extrapolate().points().size());
        double max = 0;
        for (int i = 0; i < held.size(); i++) {
            double pred = predict(fit, held.get(i));
            assertEquals(pred, cv.extrapolate().points().get(i).predicted(), 1e-12);
            max = Math.max(max, Math.abs(pred - held.get(i).error()));
        }
        assertEquals(max, cv.extrapolate().maxError(), 1e-12);
    }

    @Test
    void crossValidationSaysWhyItCannotRun() {
        ScalingParams truth = truth(new double[] {-0.2, -0.2}, new double[] {3, 3});
        List<Observation> obs = generate(truth, null, 1e-4, 8).stream().filter(o -> o.samplesSeen() < 200e6).toList();
        CrossValidation cv = CrossValidation.run(obs, options(Tie.NONE, List.of(0.1))); // 4 points, 5 parameters
        assertNull(cv.leaveOneOut());
        assertNull(cv.extrapolate());
        assertEquals(2, cv.notes().size());
    }

    @Test
    void cumulativeTopFractionsAreLabelledNestedAndDisjointBucketsAreNot() {
        Nesting n = Nesting.of(List.of("top20%", "top10%", "top30%"), new double[] {2e6, 1e6, 3e6});
        assertNotNull(n);
        assertEquals(List.of("top10%", "top20%", "top30%"), n.pools());
        assertEquals(List.of(10.0, 20.0, 30.0), n.fractions());
        assertNotNull(Nesting.of(List.of("top0-10", "top0-20"), new double[] {1e6, 2e6}));
        assertNull(Nesting.of(List.of("top0-10", "top10-20", "top20-30"), new double[] {1e6, 1e6, 1e6}));
        assertNull(Nesting.of(List.of("top10", "top20"), new double[] {2e6, 1e6})); // sizes shrink: not nested

        // a fit of nested pools runs and carries the label
        ScalingParams truth = truth(new double[] {-0.2, -0.2, -0.2}, new double[] {3, 3, 3});
        List<Observation> obs = new ArrayList<>();
        for (Observation o : generate(truth, null, 1e-4, 9)) {
            int i = Integer.parseInt(o.pool().substring(1)); // p0, p1, p2 -> top10%, top20%, top30%
            obs.add(new Observation("top" + (10 * (i + 1)) + "%", o.poolSize(), o.samplesSeen(), o.error()));
        }
        FitResult r = Fitter.fit(obs, options(new Tie(true, true), List.of(0.1)), "t");
        assertEquals(List.of("top10%", "top20%", "top30%"), r.params().fit().nesting().pools());
    }

    private static double predict(ScalingParams p, Observation o) {
        PoolParams pool = p.pool(o.pool());
        return p.law(LawForm.ADDITIVE).error(o.samplesSeen(), o.poolSize(),
                UtilitySchedule.pool(pool.b(), pool.tau(), Objective.UTILITY));
    }
}
