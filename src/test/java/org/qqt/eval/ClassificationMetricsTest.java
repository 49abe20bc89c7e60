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
    void softErrorAndCrossEntropyAreTheSoftmaxAtScale100OfTheTrueClass() {
        // two classes, two images; at scale 100 the logit gaps 0.01 and 0.02 become 1 and 2 (by hand):
        // image 1 (label 0, logits 0.51 vs 0.50): p = 1/(1+e^-1) = 0.731059; image 2 (label 1, 0.52 vs 0.50):
        // p(true) = e^-2/(1+e^-2) = 0.119203
        double[][] logits = {{0.51, 0.50}, {0.52, 0.50}};
        int[] labels = {0, 1};
        ClassificationMetrics.Result r = ClassificationMetrics.of(logits, labels);
        assertEquals(1 - (0.7310586 + 0.1192029) / 2, r.softError(), 1e-6);
        assertEquals((-Math.log(0.7310586) - Math.log(0.1192029)) / 2, r.crossEntropy(), 1e-6);
        assertEquals(0.5, r.acc1(), 1e-15);
        // all-equal logits (an untrained model): soft error is chance, 1 - 1/C, and cross-entropy ln C
        ClassificationMetrics.Result flat = ClassificationMetrics.of(new double[][] {{0.2, 0.2, 0.2, 0.2}},
                new int[] {3});
        assertEquals(0.75, flat.softError(), 1e-12);
        assertEquals(Math.log(4), flat.crossEntropy(), 1e-12);
        // large logits stay finite (the max is subtracted before exponentiating)
        assertEquals(100 * 30, ClassificationMetrics.of(new double[][] {{30, 0}}, new int[] {1}).crossEntropy(),
                1e-9);
        // written after DataComp's three metrics, DataComp's keys and order unchanged
        assertEquals(java.util.List.of("acc1", "acc5", "mean_per_class_recall", "soft_error", "cross_entropy"),
                java.util.List.copyOf(r.asMap().keySet()));
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
