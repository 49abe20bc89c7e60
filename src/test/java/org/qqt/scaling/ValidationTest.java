package org.qqt.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

class ValidationTest {
    @TempDir
    Path dir;

    private final ScalingParams params = PredictorTest.tmars();
    private final Predictor predictor = new Predictor(params, LawForm.ADDITIVE, Objective.UTILITY);

    private String row(String mixture, double size, double seen, double offset) {
        double pred = predictor.error(Mixture.parse(mixture, params), seen);
        return String.format(Locale.ROOT, "%s,%.0f,%.0f,%.12f%n", mixture, size, seen, pred + offset);
    }

    @Test
    void maeAndMaxErrorOfAConstructedCsv() throws Exception {
        // offsets +0.01, −0.03, +0.02, 0 → MAE 0.015, max 0.03
        Path csv = dir.resolve("actual.csv");
        Files.writeString(csv, "pool,pool_size,samples_seen,error\n"
                + row("top0-10", 12.8e6, 32e6, 0.01)
                + row("top0-10+top10-20", 25.6e6, 32e6, -0.03)
                + row("top0-10", 12.8e6, 640e6, 0.02)
                + row("top0-10+top10-20+top20-30", 38.4e6, 640e6, 0.0));
        Validation.Result r = Validation.run(predictor, Observations.load(csv, "imagenet1k"), csv);
        assertEquals(4, r.points().size());
        assertEquals(0.015, r.mae(), 1e-9);
        assertEquals(0.03, r.maxError(), 1e-9);
        assertEquals(0.01, r.points().get(0).absError(), 1e-9);
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
        assertEquals(2, r.budgets().size());
        // at 32M the prediction says top0-10 (0.8247 vs 0.8267) but the −0.03 offset makes top0-10+top10-20 win
        Validation.BudgetCheck b32 = r.budgets().get(0);
        assertEquals(32e6, b32.samplesSeen());
        assertEquals("top0-10+top10-20", b32.actualBest());
        assertEquals("top0-10", b32.predictedBest());
        assertFalse(b32.agree());
        Validation.BudgetCheck b640 = r.budgets().get(1);
        assertEquals("top0-10+top10-20+top20-30", b640.actualBest());
        assertEquals("top0-10+top10-20+top20-30", b640.predictedBest());
        assertTrue(b640.agree());
        assertEquals(2, r.compared());
        assertEquals(1, r.agreed());
    }

    @Test
    void repeatedPointsOfAMixtureAreAveragedForTheBestPick() {
        List<Observation> obs = List.of(
                new Observation("top0-10", 12.8e6, 64e6, 0.70),
                new Observation("top0-10", 12.8e6, 64e6, 0.80), // mean 0.75
                new Observation("top0-10+top10-20", 25.6e6, 64e6, 0.74));
        Validation.Result r = Validation.run(predictor, obs, Path.of("runs.csv"));
        assertEquals("top0-10+top10-20", r.budgets().get(0).actualBest());
        assertEquals(List.of("top0-10", "top0-10+top10-20"), r.budgets().get(0).mixtures());
    }

    @Test
    void aPoolSizeThatIsNotTheMixturesSizeWarnsButStillPredictsWithNHat() {
        List<Observation> obs = List.of(new Observation("top0-10+top10-20", 12.8e6, 64e6, 0.7));
        Validation.Result r = Validation.run(predictor, obs, Path.of("runs.csv"));
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).contains("25.6M"), r.warnings().get(0));
        assertEquals(predictor.error(Mixture.parse("top0-10+top10-20", params), 64e6), r.points().get(0).predicted());
    }

    @Test
    void unknownMixtureNameIsBadInputListingTheKnownNames() {
        List<Observation> obs = List.of(new Observation("top0-50", 64e6, 64e6, 0.7));
        BadInputException e = assertThrows(BadInputException.class,
                () -> Validation.run(predictor, obs, Path.of("runs.csv")));
        String m = e.getMessage();
        assertTrue(m.startsWith("runs.csv: unknown mixture 'top0-50'"), m);
        assertTrue(m.contains("top30-40") && m.contains("top0-10+top10-20+top20-30"), m);
        assertFalse(m.contains("\n"));
    }
}
