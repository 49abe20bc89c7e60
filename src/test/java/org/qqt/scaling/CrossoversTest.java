package org.qqt.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Crossovers predicted on known curves (the paper's T-MARS parameters) and measured on known means. */
class CrossoversTest {
    private static final double NAN = Double.NaN;

    @Test
    void measuredCrossoverIsInterpolatedInLogSOnTheDifferenceOfTheTwoWinnersMeans() {
        // A wins at 1k (0.5 vs 0.6), B at 10k (0.4 vs 0.6): A − B goes −0.1 → +0.2, zero a third of the way in log S
        List<Crossovers.Measured> m = Crossovers.measured(List.of("A", "B"), new double[] {1e3, 1e4},
                new double[][] {{0.5, 0.6}, {0.6, 0.4}});
        assertEquals(1, m.size(), m.toString());
        assertEquals("A", m.get(0).from());
        assertEquals("B", m.get(0).to());
        assertEquals(Math.pow(10, 3 + 1.0 / 3), m.get(0).budget(), 1e-9 * 2154);
        assertEquals(1e3, m.get(0).below());
        assertEquals(1e4, m.get(0).above());
    }

    @Test
    void everyChangeOfTheMeasuredWinnerIsACrossoverAndAnUnmeasuredBudgetIsSkipped() {
        // winners: A at 1k, (nothing at 2k), B at 4k, B at 8k, C at 16k
        double[][] means = {{0.5, NAN, 0.7, 0.7, 0.7}, {0.6, NAN, 0.5, 0.45, 0.44}, {0.9, NAN, 0.8, 0.5, 0.40}};
        List<Crossovers.Measured> m = Crossovers.measured(List.of("A", "B", "C"),
                new double[] {1e3, 2e3, 4e3, 8e3, 16e3}, means);
        assertEquals(2, m.size(), m.toString());
        // A − B: −0.1 at 1k, +0.2 at 4k → a third of the way from 1k to 4k in log S
        assertEquals(1e3 * Math.pow(4, 1.0 / 3), m.get(0).budget(), 1e-6);
        assertEquals(1e3, m.get(0).below());
        // B − C: −0.05 at 8k, +0.04 at 16k → 5/9 of the way
        assertEquals("B", m.get(1).from());
        assertEquals("C", m.get(1).to());
        assertEquals(8e3 * Math.pow(2, 5.0 / 9), m.get(1).budget(), 1e-6);
        assertTrue(Crossovers.measured(List.of("A", "B"), new double[] {1, 2}, new double[][] {{0.1, 0.1},
                {0.2, 0.3}}).isEmpty(), "one winner throughout: no crossover");
    }

    @Test
    void aTieAtTheUpperBudgetPutsTheCrossoverThere() {
        assertEquals(100, Crossovers.interpolate(10, 100, -0.2, 0.0), 1e-9);
        assertEquals(Math.sqrt(1000), Crossovers.interpolate(10, 100, NAN, 0.1), 1e-9, "unknown: midpoint");
    }

    @Test
    void aDrawsChangeIsMatchedByItsPairNearestInLogS() {
        ParetoFrontier.Crossover fit = new ParetoFrontier.Crossover(1000, "A", "B");
        List<ParetoFrontier.Crossover> draw = List.of(new ParetoFrontier.Crossover(990, "B", "C"),
                new ParetoFrontier.Crossover(300, "A", "B"), new ParetoFrontier.Crossover(2500, "A", "B"));
        assertEquals(2500, Crossovers.nearest(draw, fit), "log(2.5) < log(3.33); B → C is another change");
        assertTrue(Double.isNaN(Crossovers.nearest(draw.subList(0, 1), fit)), "no A → B in the draw");
    }

    private static ScalingParams paper(List<ScalingParams.BootstrapDraw> draws) {
        return new ScalingParams(0.022, 0.1, 100000.0, List.of(new PoolParams("top0-10", 12.8e6, -0.18, 4.36),
                new PoolParams("top10-20", 12.8e6, -0.15, 4.27)), null, draws);
    }

    @Test
    void predictedCrossoverIsWhereTheBestMixtureChangesWithItsBootstrapInterval() {
        ScalingParams.BootstrapDraw same = new ScalingParams.BootstrapDraw(0.022, 0.1, List.of(-0.18, -0.15),
                List.of(4.36, 4.27));
        ScalingParams.BootstrapDraw later = new ScalingParams.BootstrapDraw(0.022, 0.1, List.of(-0.19, -0.15),
                List.of(4.36, 4.27));
        ScalingParams.BootstrapDraw never = new ScalingParams.BootstrapDraw(0.022, 0.1, List.of(-0.18, -0.02),
                List.of(4.36, 4.27));
        ScalingParams p = paper(List.of(same, later, never));
        Predictor pred = new Predictor(p, LawForm.ADDITIVE, Objective.UTILITY);
        List<Mixture> mixtures = Mixture.prefixes(p, MixtureOrder.RANK);
        List<Crossovers.Predicted> c = Crossovers.predicted(pred, mixtures, 10e6, 640e6);
        assertEquals(1, c.size(), c.toString());
        Crossovers.Predicted x = c.get(0);
        assertEquals("top0-10", x.from());
        assertEquals("top0-10+top10-20", x.to());
        assertEquals(36.6e6, x.budget(), 0.1e6, "docs/scaling-predict.md's 36.6M");
        assertTrue(pred.error(mixtures.get(0), x.budget() * 0.99) < pred.error(mixtures.get(1), x.budget() * 0.99));
        assertTrue(pred.error(mixtures.get(0), x.budget() * 1.01) > pred.error(mixtures.get(1), x.budget() * 1.01));
        // the draw equal to the fit crosses at the same budget, the one with a better top0-10 later, the one with a
        // nearly flat top10-20 never (counted, left out of the percentiles)
        assertEquals(3, x.draws());
        assertEquals(2, x.drawsWith());
        assertTrue(x.budget() < x.low() && x.low() < x.high() && x.high() > 1.05 * x.budget(), x.toString());
        Crossovers.Predicted one = Crossovers.predicted(new Predictor(paper(List.of(same, never)), LawForm.ADDITIVE,
                Objective.UTILITY), mixtures, 10e6, 640e6).get(0);
        assertEquals(List.of(1, 2), List.of(one.drawsWith(), one.draws()));
        assertEquals(x.budget(), one.low(), 1e-5 * x.budget(), "the one draw equal to the fit: the fit's budget");
        assertEquals(x.budget(), one.high(), 1e-5 * x.budget());
        assertNull(Crossovers.predicted(new Predictor(paper(List.of(never)), LawForm.ADDITIVE, Objective.UTILITY),
                mixtures, 10e6, 640e6).get(0).low(), "no draw has it");
    }
}
