package org.qqt.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class ParetoFrontierTest {
    private static final double CROSS = Math.pow(2, 20); // s^-0.2 = 2·s^-0.25  ⇔  s^0.05 = 2

    private static final DoubleUnaryOperator STEEP = s -> 2 * Math.pow(s, -0.25); // worse early, better late
    private static final DoubleUnaryOperator FLAT = s -> Math.pow(s, -0.2);

    @Test
    void bisectionFindsTheTrueCrossingOfTwoKnownCurves() {
        ParetoFrontier.Frontier f = ParetoFrontier.compute(List.of("flat", "steep"), List.of(FLAT, STEEP),
                1e3, 1e9, 7);
        assertEquals(1, f.crossovers().size(), f.crossovers().toString());
        ParetoFrontier.Crossover c = f.crossovers().get(0);
        assertEquals("flat", c.from());
        assertEquals("steep", c.to());
        assertTrue(Math.abs(c.budget() / CROSS - 1) < 1e-3, "crossover " + c.budget() + " vs true " + CROSS);
        assertEquals("flat", f.best().get(0));
        assertEquals("steep", f.best().get(f.best().size() - 1));
    }

    @Test
    void gridIsLogSpacedAndHitsBothEndsExactly() {
        ParetoFrontier.Frontier f = ParetoFrontier.compute(List.of("flat"), List.of(FLAT), 32e6, 640e6, 5);
        assertEquals(5, f.grid().size());
        assertEquals(32e6, f.grid().get(0));
        assertEquals(640e6, f.grid().get(4));
        double ratio = f.grid().get(1) / f.grid().get(0);
        for (int i = 1; i < 5; i++) {
            assertEquals(ratio, f.grid().get(i) / f.grid().get(i - 1), 1e-9);
        }
        assertTrue(f.crossovers().isEmpty());
        assertEquals(FLAT.applyAsDouble(32e6), f.error().get(0), 1e-15);
    }

    @Test
    void aMixtureBestOnlyBetweenTwoGridPointsIsStillFound() {
        // "dip" beats both only in a narrow window (±~3%) around their crossing; a 4-point grid steps over it
        double at = FLAT.applyAsDouble(CROSS);
        DoubleUnaryOperator dip = s -> at - 0.001 + 10 * Math.pow(Math.log(s / CROSS), 2);
        ParetoFrontier.Frontier f = ParetoFrontier.compute(List.of("flat", "steep", "dip"),
                List.of(FLAT, STEEP, dip), 1e3, 1e9, 4);
        assertTrue(f.best().stream().noneMatch("dip"::equals), "the grid alone misses it: " + f.best());
        assertEquals(2, f.crossovers().size(), f.crossovers().toString());
        assertEquals("flat", f.crossovers().get(0).from());
        assertEquals("dip", f.crossovers().get(0).to());
        assertEquals("dip", f.crossovers().get(1).from());
        assertEquals("steep", f.crossovers().get(1).to());
        double lo = f.crossovers().get(0).budget();
        double hi = f.crossovers().get(1).budget();
        assertTrue(lo < CROSS && CROSS < hi, lo + " < " + CROSS + " < " + hi);
        // each end is a true crossing of its two curves
        assertEquals(FLAT.applyAsDouble(lo), dip.applyAsDouble(lo), 1e-5);
        assertEquals(dip.applyAsDouble(hi), STEEP.applyAsDouble(hi), 1e-5);
    }

    @Test
    void paperTmarsParamsGiveTheQualityQuantityTradeOff() {
        ScalingParams p = PredictorTest.tmars();
        List<Mixture> ms = Mixture.prefixes(p, MixtureOrder.RANK);
        for (LawForm form : LawForm.values()) {
            ParetoFrontier.Frontier f = ParetoFrontier.compute(new Predictor(p, form, Objective.UTILITY), ms,
                    32e6, 640e6, 25);
            assertEquals("top0-10", f.best().get(0), form + ": top 10% best at 32M");
            assertTrue(ms.stream().map(Mixture::name).toList().indexOf(f.best().get(24)) >= 2,
                    form + ": a pool of at least top 30% best at 640M, got " + f.best().get(24));
            for (int i = 1; i < f.crossovers().size(); i++) {
                assertTrue(f.crossovers().get(i).budget() > f.crossovers().get(i - 1).budget());
            }
        }
    }
}
