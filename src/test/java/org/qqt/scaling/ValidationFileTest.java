package org.qqt.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validation.json / validation.csv: one record writes and reads both, for qqt validate and figure5 alike. */
class ValidationFileTest {
    @TempDir
    Path dir;

    private final ScalingParams params = PredictorTest.tmars();
    private final Predictor predictor = new Predictor(params, LawForm.ADDITIVE, Objective.UTILITY);

    /** Three measured points at two budgets; the second has a pool_size that is not its mixture's N̂. */
    private Validation.Result result() {
        return Validation.run(predictor, List.of(
                new Observation("top0-10", 12.8e6, 32e6, 0.80),
                new Observation("top0-10+top10-20", 25.6e6, 32e6, 0.79),
                new Observation("top0-10+top10-20", 30e6, 640.5e6, 0.70)), dir.resolve("actual.csv"));
    }

    @Test
    void figure5FileRoundTripsThroughJson() {
        Validation.Result r = result();
        ValidationFile written = ValidationFile.of(r, "imagenet1k",
                Map.of("top0-10", "top10", "top0-10+top10-20", "top20"),
                List.of(new ValidationFile.Seeds(3, 0.004), new ValidationFile.Seeds(1, null),
                        new ValidationFile.Seeds(2, 0.01)));
        Path file = dir.resolve("validation.json");
        written.write(file);
        ValidationFile read = ValidationFile.read(file);
        assertEquals(written, read);
        assertEquals("top20", read.points().get(1).mixture());
        assertEquals("top0-10+top10-20", read.points().get(1).pool());
        assertNull(read.points().get(1).actualSe());
        assertEquals(List.of("top10", "top20"), read.budgets().get(0).mixtures());
        assertEquals(1, read.warnings().size(), read.warnings().toString());
        assertEquals(r.mae(), read.mae());
        assertEquals(r.maxError(), read.maxError());
    }

    @Test
    void validateFileKeepsItsKeysAndWholeCounts() throws Exception {
        Validation.Result r = Validation.run(predictor, List.of(new Observation("top0-10", 12.8e6, 32e6, 0.80)),
                dir.resolve("a.csv"));
        Validation.Point p = r.points().get(0);
        ValidationFile f = ValidationFile.of(r);
        assertEquals("{\"points\":[{\"pool\":\"top0-10\",\"pool_size\":12800000,\"samples_seen\":32000000,"
                + "\"actual\":0.8,\"predicted\":" + p.predicted() + ",\"abs_error\":" + p.absError() + "}],"
                + "\"mae\":" + r.mae() + ",\"max_error\":" + r.maxError() + ",\"budgets\":[{\"samples_seen\":32000000,"
                + "\"mixtures\":[\"top0-10\"],\"actual_best\":\"top0-10\",\"predicted_best\":\"top0-10\","
                + "\"agree\":true}],\"compared\":0,\"agreed\":0}", f.compact());
        Path file = dir.resolve("v.json");
        f.write(file);
        assertEquals(f, ValidationFile.read(file));
        StringWriter csv = new StringWriter();
        f.printCsv(new PrintWriter(csv, true));
        assertEquals("pool,pool_size,samples_seen,actual,predicted,abs_error\ntop0-10,12800000,32000000,0.8,"
                + p.predicted() + "," + p.absError() + "\n", csv.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void figure5CsvHasTheMixtureSeedsAndStandardErrorColumns() throws Exception {
        Validation.Result r = result();
        ValidationFile f = ValidationFile.of(r, "imagenet1k", Map.of("top0-10", "top10", "top0-10+top10-20", "top20"),
                List.of(new ValidationFile.Seeds(3, 0.004), new ValidationFile.Seeds(1, null),
                        new ValidationFile.Seeds(2, 0.01)));
        Path csv = dir.resolve("validation.csv");
        f.writeCsv(csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("mixture,pool,pool_size,samples_seen,seeds,actual,actual_se,predicted,abs_error", lines.get(0));
        Validation.Point p = r.points().get(1);
        assertEquals("top20,top0-10+top10-20,25600000,32000000,1,0.79,," + p.predicted() + "," + p.absError(),
                lines.get(2));
        assertEquals("640500000", lines.get(3).split(",")[3]);
        assertEquals(4, lines.size());
    }
}
