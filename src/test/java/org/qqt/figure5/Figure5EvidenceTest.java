package org.qqt.figure5;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.qqt.scaling.Crossovers;

/** The report's verdict and crossover sections, rendered from constructed verdicts (no training, no fit). */
class Figure5EvidenceTest {
    @Test
    void verdictsAndCrossoversShowStatusesNumbersAndTheBootstrapInterval() {
        Crossovers.Predicted p = new Crossovers.Predicted(36.5e6, "top10", "top20", 30e6, 45e6, 180, 200);
        Crossovers.Measured m = new Crossovers.Measured(50e6, "top10", "top20", 32e6, 64e6);
        Verdicts v = new Verdicts(
                new Verdicts.Mae(Verdicts.FAIL, 0.026, 0.01, 0.004, 16, 16, null),
                new Verdicts.Best(Verdicts.PASS, List.of(
                        new Verdicts.BudgetCheck(32e6, "top10", "top20", 0.03, 0.01, true, "top10", true),
                        new Verdicts.BudgetCheck(64e6, "top20", "top10", 0.01, 0.01, false, "top10", false)), 1, 1,
                        null),
                Verdicts.cross(List.of(p), List.of(m)));
        String md = Figure5Report.markdown(List.of(Figure5Evidence.verdicts("Verdicts", v),
                Figure5Evidence.crossovers("Crossovers", v)), "t");
        assertTrue(md.contains("(a) Predicted-vs-actual MAE ≤ max(0.01, mean seed SE of the actual points): **FAIL**. "
                + "MAE 0.0260, threshold 0.0100; mean seed SE 0.0040"), md);
        assertTrue(md.contains("**PASS**. 1 decisive budget(s), the prediction agrees at 1"), md);
        assertTrue(md.contains("| 32M | top10 | top20 | 0.0300 | 0.0100 | yes | top10 | yes |"), md);
        assertTrue(md.contains("| 64M | top20 | top10 | 0.0100 | 0.0100 | no | top10 | no |"), md);
        // 36.5M / 50M = 0.73 = 1 / 1.37: within x1.5, though 50M is outside the predicted [30M, 45M]
        assertTrue(md.contains("of the measured one: **PASS**"), md);
        assertTrue(md.contains("| top10 → top20 | 50M | top10 → top20 | 36.5M | [30M, 45M] (180 of 200 draws) | "
                + "0.7300 | yes | no |"), md);
        assertTrue(md.contains("| top10 → top20 | 36.5M | [30M, 45M] (180 of 200 draws) |"), md);
        assertTrue(md.contains("| top10 → top20 | 32M – 64M | 50M |"), md);
    }
}
