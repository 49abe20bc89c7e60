package org.qqt.figure5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.scaling.Crossovers;
import org.qqt.scaling.ValidationFile;
import org.qqt.sweep.Crossover;

/** The three "must show" verdicts on constructed inputs: one case that passes and one that fails each. */
class VerdictsTest {
    @TempDir
    Path dir;

    private static ValidationFile validation(double mae, Double se, String predictedAt1k, String predictedAt2k) {
        List<ValidationFile.Point> pts = List.of(
                new ValidationFile.Point("A", "A", 100, 1000, se == null ? 1 : 3, 0.5, se, 0.5 + mae, mae),
                new ValidationFile.Point("B", "B", 200, 2000, se == null ? 1 : 3, 0.4, se, 0.4 - mae, mae));
        return new ValidationFile("mean", pts, mae, mae, List.of(
                new ValidationFile.Budget(1000, List.of("A", "B"), "A", predictedAt1k, "A".equals(predictedAt1k)),
                new ValidationFile.Budget(2000, List.of("A", "B"), "B", predictedAt2k, "B".equals(predictedAt2k))),
                2, 0, null);
    }

    @Test
    void maeMustBeWithinTheLargerOfTheFloorAndTheMeanSeedSe() {
        Verdicts.Mae pass = Verdicts.mae(validation(0.015, 0.02, "A", "B"));
        assertEquals(Verdicts.PASS, pass.status());
        assertEquals(0.02, pass.threshold(), 1e-12);
        assertEquals(2, pass.pointsWithSe());
        Verdicts.Mae fail = Verdicts.mae(validation(0.015, 0.005, "A", "B"));
        assertEquals(Verdicts.FAIL, fail.status(), "0.015 > max(0.01, 0.005)");
        assertEquals(0.01, fail.threshold(), 1e-12);
        Verdicts.Mae oneSeed = Verdicts.mae(validation(0.009, null, "A", "B"));
        assertEquals(Verdicts.PASS, oneSeed.status());
        assertNull(oneSeed.meanSeedSe());
        assertTrue(oneSeed.note().contains("one seed"), oneSeed.note());
    }

    /** Seeds of A and B at 1k and 2k: A wins 1k by 0.1 (decisive), B wins 2k by {@code margin2k}. */
    private static Crossover.Table table(double margin2k, double spread) {
        List<Crossover.Point> pts = new ArrayList<>();
        int seed = 0;
        for (double d : new double[] {-spread, 0, spread}) {
            pts.add(new Crossover.Point("A", 1000, seed, "a1-" + seed, 0.50 + d));
            pts.add(new Crossover.Point("B", 1000, seed, "b1-" + seed, 0.60 + d));
            pts.add(new Crossover.Point("A", 2000, seed, "a2-" + seed, 0.40 + margin2k + d));
            pts.add(new Crossover.Point("B", 2000, seed, "b2-" + seed, 0.40 + d));
            seed++;
        }
        return Crossover.table(pts, List.of("A", "B"), List.of(1000.0, 2000.0), "mean");
    }

    @Test
    void bestMixtureMustAgreeAtEveryDecisiveBudgetOnly() {
        // spread 0.01 over 3 seeds: SE 0.00577, combined SE 0.00816; margins 0.1 (decisive) and 0.01 (not)
        Crossover.Table t = table(0.01, 0.01);
        Verdicts.Best pass = Verdicts.best(validation(0.01, 0.005, "A", "A"), t);
        assertEquals(Verdicts.PASS, pass.status(), "wrong only at 2k, where the margin is within 2 combined SE");
        assertEquals(1, pass.decisive());
        assertTrue(pass.budgets().get(0).decisive());
        assertFalse(pass.budgets().get(1).decisive());
        assertFalse(pass.budgets().get(1).agree());
        assertEquals(0.1, pass.budgets().get(0).margin(), 1e-12);
        assertEquals(Math.sqrt(2) * 0.01 / Math.sqrt(3), pass.budgets().get(0).combinedSe(), 1e-12);
        Verdicts.Best fail = Verdicts.best(validation(0.01, 0.005, "B", "B"), t);
        assertEquals(Verdicts.FAIL, fail.status(), "wrong at 1k, a decisive budget");
        Verdicts.Best fail2 = Verdicts.best(validation(0.01, 0.005, "A", "A"), table(0.05, 0.01));
        assertEquals(Verdicts.FAIL, fail2.status(), "2k is decisive once B wins it by 0.05");
        assertEquals(2, fail2.decisive());
        Verdicts.Best none = Verdicts.best(validation(0.01, 0.005, "B", "A"), table(0.01, 0.2));
        assertEquals(Verdicts.NA, none.status(), "no margin exceeds 2 combined SE");
        assertEquals(0, none.decisive());
    }

    private static Crossovers.Predicted predicted(double budget) {
        return new Crossovers.Predicted(budget, "A", "B", budget / 1.2, budget * 1.3, 180, 200);
    }

    @Test
    void crossoverMustBeWithinAFactorOneAndAHalf() {
        List<Crossovers.Measured> measured = List.of(new Crossovers.Measured(1500, "A", "B", 1000, 2000));
        Verdicts.Cross pass = Verdicts.cross(List.of(predicted(100), predicted(2200)), measured);
        assertEquals(Verdicts.PASS, pass.status(), "2200 / 1500 = 1.47, the nearest of the two");
        assertEquals(2200 / 1500.0, pass.pairs().get(0).ratio(), 1e-12);
        assertFalse(pass.pairs().get(0).measuredInInterval(), "1500 is below 2200/1.2");
        Verdicts.Cross fail = Verdicts.cross(List.of(predicted(900)), measured);
        assertEquals(Verdicts.FAIL, fail.status(), "1500 / 900 = 1.67");
        assertEquals(Verdicts.FAIL, Verdicts.cross(List.of(), measured).status());
        assertEquals("no predicted crossover", Verdicts.cross(List.of(), measured).note());
        Verdicts.Cross none = Verdicts.cross(List.of(predicted(900)), List.of());
        assertEquals(Verdicts.NA, none.status());
        assertEquals("no measured crossover", none.note());
    }

    @Test
    void measuredCrossoversComeFromTheTablesMeansAndTheFileRoundTrips() {
        Crossover.Table t = table(0.05, 0.01); // A − B: −0.1 at 1k, +0.05 at 2k
        List<Crossovers.Measured> m = Verdicts.measured(t);
        assertEquals(1, m.size());
        assertEquals(1000 * Math.pow(2, 2.0 / 3), m.get(0).budget(), 1e-6);
        Verdicts v = Verdicts.of(validation(0.01, 0.02, "A", "B"), t, List.of(predicted(1700)), m);
        assertEquals(List.of(Verdicts.PASS, Verdicts.PASS, Verdicts.PASS), List.of(v.mae().status(),
                v.bestMixture().status(), v.crossover().status()));
        v.write(dir.resolve("verdicts.json"));
        assertEquals(v, Verdicts.read(dir.resolve("verdicts.json")));
    }
}
