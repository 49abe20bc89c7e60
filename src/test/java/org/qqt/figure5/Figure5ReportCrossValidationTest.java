package org.qqt.figure5;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.scaling.ScalingParams;

/** The report's cross-validation section, rendered from a given params.json (no training, no fit). */
class Figure5ReportCrossValidationTest {
    @TempDir
    Path dir;

    private static final String PARAMS = """
            {"a": 1, "d": 0.5, "normalizer": 10,
             "pools": [{"name": "top0-25", "size": 75, "b": -0.2, "tau": 3},
                       {"name": "top25-50", "size": 75, "b": -0.1, "tau": 2}],
             "fit": {"law": "additive", "objective": "utility", "metric": "mean", "points": 6, "freeParameters": 4,
                     "gridSse": 0.002, "sse": 0.001, "rmse": 0.0129,
                     "crossValidation": {%s}}}
            """;

    private String section(String crossValidation) throws Exception {
        Path file = dir.resolve("params.json");
        Files.writeString(file, PARAMS.formatted(crossValidation));
        return Figure5Report.crossValidationMarkdown(ScalingParams.load(file));
    }

    @Test
    void showsMaeMaxAndEveryHeldOutPointOfBothSchemes() throws Exception {
        String md = section("""
                "leaveOneOut": {"points": [
                    {"pool": "top0-25", "samplesSeen": 75, "observed": 0.61, "predicted": 0.6234, "absError": 0.0134},
                    {"pool": "top25-50", "samplesSeen": 150, "observed": 0.58, "predicted": 0.5526,
                     "absError": 0.0274}],
                  "mae": 0.0204, "maxError": 0.0274},
                "extrapolate": {"points": [
                    {"pool": "top25-50", "samplesSeen": 150, "observed": 0.58, "predicted": 0.6187,
                     "absError": 0.0387}],
                  "mae": 0.0387, "maxError": 0.0387}""");
        assertTrue(md.contains("## Cross-validation"), md);
        assertTrue(md.contains("| leave-one-out | 2 | 0.0204 | 0.0274 |"), md);
        assertTrue(md.contains("| extrapolate | 1 | 0.0387 | 0.0387 |"), md);
        assertTrue(md.contains("| leave-one-out | top0-25 | 75 | 0.6100 | 0.6234 | 0.0134 |"), md);
        assertTrue(md.contains("| leave-one-out | top25-50 | 150 | 0.5800 | 0.5526 | 0.0274 |"), md);
        assertTrue(md.contains("| extrapolate | top25-50 | 150 | 0.5800 | 0.6187 | 0.0387 |"), md);
        assertFalse(md.contains("not run"), md);
        assertTrue(md.contains("| scheme | held-out points | MAE | max \\|diff\\| |"), md);
    }

    @Test
    void aSchemeThatCouldNotRunSaysWhy() throws Exception {
        String md = section("""
                "leaveOneOut": {"points": [
                    {"pool": "top0-25", "samplesSeen": 75, "observed": 0.61, "predicted": 0.6234, "absError": 0.0134}],
                  "mae": 0.0134, "maxError": 0.0134},
                "notes": ["extrapolate not run: pool 'top0-25' would have no points left"]""");
        assertTrue(md.contains("| leave-one-out | 1 | 0.0134 | 0.0134 |"), md);
        assertTrue(md.contains("| extrapolate | n/a (not run, see below) | n/a | n/a |"), md);
        assertTrue(md.contains("extrapolate not run: pool 'top0-25' would have no points left."), md);
    }
}
