package org.qqt.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ZeroShotClassifierTest {
    private final FakeEncoder enc = new FakeEncoder(4);
    private final Evaluator evaluator = new Evaluator((t, d, s) -> { throw new AssertionError(); });
    private final TaskSpec task = TaskSpec.of("cifar10", "CIFAR-10", TaskType.CLASSIFICATION, "acc1", "x");

    @Test
    void classVectorIsNormalisedMeanOfNormalisedTemplateEmbeddings() {
        List<String> names = List.of("cat", "dog");
        ZeroShotClassifier cls = ZeroShotClassifier.build(enc, names, Fixtures.TEMPLATES, 2);
        for (int c = 0; c < names.size(); c++) {
            float[] expected = Fixtures.classVector(names.get(c), Fixtures.TEMPLATES, enc.dim());
            assertArrayEquals(expected, cls.classVector(c), 1e-6f);
        }
        // 2 classes x 3 templates = 6 texts, 2 per call
        assertEquals(6, enc.textsEncoded);
        assertEquals(3, enc.textCalls);
    }

    @Test
    void classifierBuiltFromTrueClassEmbeddingsScoresOne() {
        InMemoryTaskData data = Fixtures.classification(Path.of("t"), enc, 10, 2000, 0.01, 1);
        EvalResult r = evaluator.evaluateTask(task, data, enc);
        assertEquals(1.0, r.metrics().get("acc1"));
        assertEquals(1.0, r.metrics().get("acc5"));
        assertEquals(1.0, r.metrics().get("mean_per_class_recall"));
        assertEquals(1.0, r.mainMetric());
    }

    @Test
    void shuffledLabelsScoreAtChance() {
        int n = 4000;
        int classes = 10;
        InMemoryTaskData data = Fixtures.classification(Path.of("t"), enc, classes, n, 0.01, 2);
        int[] labels = new int[n];
        data.forEachBatch(n, b -> System.arraycopy(b.labels(), 0, labels, 0, n));
        Random r = new Random(3);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = labels[i];
            labels[i] = labels[j];
            labels[j] = t;
        }
        float[][] pixels = new float[1][];
        data.forEachBatch(n, b -> pixels[0] = b.images().pixels());
        InMemoryTaskData shuffled = InMemoryTaskData.classification(Path.of("t"), 4, data.classNames(),
                data.templates(), pixels[0], labels);
        EvalResult res = evaluator.evaluateTask(task, shuffled, enc);
        assertWithinBinomial(0.1, n, res.metrics().get("acc1"), "acc1");
        assertWithinBinomial(0.5, n, res.metrics().get("acc5"), "acc5");
        assertWithinBinomial(0.1, n, res.metrics().get("mean_per_class_recall"), "mean_per_class_recall");
    }

    static void assertWithinBinomial(double p, int n, double actual, String what) {
        double sd = Math.sqrt(p * (1 - p) / n);
        assertTrue(Math.abs(actual - p) <= 4 * sd, what + " = " + actual + ", chance " + p + " +- " + 4 * sd);
    }

    @Test
    void logitsAreCosinesWhateverTheImageEmbeddingNorm() {
        ZeroShotClassifier cls = ZeroShotClassifier.of(new float[][] {{1, 0}, {0, 2}});
        assertArrayEquals(new double[] {0.6, 0.8}, cls.logits(new float[] {30, 40}), 1e-7);
        assertArrayEquals(new double[] {0, 0}, cls.logits(new float[] {0, 0}), 0);
    }
}
