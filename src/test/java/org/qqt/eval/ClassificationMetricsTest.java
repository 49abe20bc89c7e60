package org.qqt.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
    @Test
    void tiedLogitsGoToTheLowestClassIndex() {
        double[] tie = {0.5, 0.5, 0.2};
        assertEquals(0, ClassificationMetrics.rankOf(tie, 0));
        assertEquals(1, ClassificationMetrics.rankOf(tie, 1));
        assertEquals(2, ClassificationMetrics.rankOf(tie, 2));
        double[] allEqual = {0.3, 0.3, 0.3, 0.3, 0.3, 0.3};
        assertEquals(5, ClassificationMetrics.rankOf(allEqual, 5));
    }

    @Test
    void threeClassFixtureMatchesHandComputedValuesAndHasNoAcc5() {
        double[][] logits = {
            {0.9, 0.1, 0.0}, // label 0: right
            {0.5, 0.5, 0.2}, // label 1: tie with 0, class 0 wins -> wrong
            {0.5, 0.5, 0.2}, // label 0: right
            {0.1, 0.2, 0.3}, // label 1: predicted 2 -> wrong
            {0.3, 0.3, 0.3}, // label 2: three-way tie, class 0 wins -> wrong
        };
        int[] labels = {0, 1, 0, 1, 2};
        ClassificationMetrics.Result r = ClassificationMetrics.of(logits, labels);
        assertEquals(0.4, r.acc1(), 1e-15);
        assertNull(r.acc5(), "acc5 needs >= 5 classes (DataComp writes None)");
        // recalls: class 0 2/2, class 1 0/2, class 2 0/1
        assertEquals(1.0 / 3, r.meanPerClassRecall(), 1e-15);
    }

    @Test
    void meanPerClassRecallAveragesOnlyClassesPresentInTheLabels() {
        double[][] logits = {
            {1, 0, 0, 0, 0, 0},             // label 0: right
            {0, 0, 0, 0, 0, 1},             // label 0: predicted 5 (absent from labels); rank 1
            {0.2, 0.1, 0.3, 0.4, 0.5, 0.6}, // label 1: rank 5 -> outside top 5
            {0, 0, 1, 1, 0, 0},             // label 2: tie with 3, 2 wins -> right
            {0, 0, 0, 0.7, 0.7, 0},         // label 4: tie with 3, 3 wins -> wrong, rank 1
            {0, 0, 0, 0, 0.9, 0.1},         // label 4: right
            {1, 0, 0, 0, 0, 0},             // label 0: right
        };
        int[] labels = {0, 0, 1, 2, 4, 4, 0};
        ClassificationMetrics.Result r = ClassificationMetrics.of(logits, labels);
        assertEquals(4.0 / 7, r.acc1(), 1e-15);
        assertEquals(6.0 / 7, r.acc5(), 1e-15);
        // classes 3 and 5 never occur as labels: mean of 2/3, 0, 1, 1/2 over 4 classes (sklearn balanced accuracy)
        assertEquals((2.0 / 3 + 0 + 1 + 0.5) / 4, r.meanPerClassRecall(), 1e-15);
        assertEquals(7, r.count());
    }

    @Test
    void labelOutsideTheClassesIsRejected() {
        ClassificationMetrics m = new ClassificationMetrics(3);
        assertThrows(IndexOutOfBoundsException.class, () -> m.add(new double[] {1, 2, 3}, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> m.add(new double[] {1, 2, 3}, -1));
    }
}
