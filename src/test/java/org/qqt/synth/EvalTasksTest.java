package org.qqt.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EvalTasksTest {
    private static final WorldConfig SMALL = new WorldConfig(null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null,
            new TaskOptions(200, Map.of("imagenet-o", 80), 5));

    @Test
    void theEighteenKeysAndMainMetricsAreDataCompS() {
        EvalTasks t = new EvalTasks(WorldConfig.defaults(), 0);
        assertEquals(18, t.specs().size());
        assertEquals(EvalTasks.KEYS, t.specs().stream().map(SynthTaskSpec::key).toList());
        assertEquals(16, t.specs().stream().filter(s -> !s.retrieval()).count());
        for (SynthTaskSpec s : t.specs()) {
            String expected = s.retrieval() ? "mean_recall@1"
                    : Set.of("vtab/caltech101", "vtab/flowers", "vtab/pets").contains(s.key())
                    ? "mean_per_class_recall" : "acc1";
            assertEquals(expected, s.mainMetric(), s.key());
        }
        assertEquals(10_000, t.spec("imagenet1k").size());
        assertEquals(5_000, t.spec("cifar10").size());
        assertEquals(1_000, t.spec("retrieval/flickr_1k_test_image_text_retrieval").size());
        assertEquals(5_000, t.spec("retrieval/mscoco_2014_5k_test_image_text_retrieval").size());
        assertEquals("vtab-pets", t.spec("vtab/pets").dirName());
    }

    @Test
    void classificationLabelsAreInRangeAndBalanced() {
        EvalTasks t = new EvalTasks(SMALL, 0);
        for (SynthTaskSpec s : t.specs()) {
            if (s.retrieval()) {
                continue;
            }
            int c = s.classnames().size();
            assertEquals(c, new HashSet<>(s.classnames()).size(), s.key() + ": class names distinct");
            assertTrue(s.templates().stream().allMatch(x -> x.contains("{c}")), s.key());
            int[] count = new int[c];
            for (int i = 0; i < s.size(); i++) {
                int label = t.sample(s, i).label();
                assertTrue(label >= 0 && label < c, s.key() + " label " + label);
                count[label]++;
            }
            int min = java.util.Arrays.stream(count).min().orElseThrow();
            int max = java.util.Arrays.stream(count).max().orElseThrow();
            assertTrue(max - min <= 1, s.key() + ": unbalanced " + java.util.Arrays.toString(count));
        }
    }

    @Test
    void retrievalImagesHaveDistinctCorrectCaptions() {
        EvalTasks t = new EvalTasks(SMALL, 0);
        for (String key : List.of("retrieval/flickr_1k_test_image_text_retrieval",
                "retrieval/mscoco_2014_5k_test_image_text_retrieval")) {
            SynthTaskSpec s = t.spec(key);
            for (int i = 0; i < 50; i++) {
                SynthTaskSample x = t.sample(s, i);
                assertEquals(-1, x.label());
                assertEquals(5, x.captions().size());
                assertEquals(5, new HashSet<>(x.captions()).size(), x.captions().toString());
            }
        }
    }

    @Test
    void classNamesUseTheCaptionVocabulary() {
        PoolGenerator g = new PoolGenerator(WorldConfig.defaults(), 0);
        Set<String> vocab = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            vocab.addAll(List.of(g.teacher(i).text().replace(",", "").split(" ")));
        }
        EvalTasks t = new EvalTasks(WorldConfig.defaults(), 0);
        for (SynthTaskSpec s : t.specs()) {
            for (String c : s.classnames()) {
                for (String word : c.split(" ")) {
                    boolean ood = s.key().equals("imagenet-o") && WorldConfig.defaults().oodShapes().contains(word);
                    assertTrue(ood || vocab.contains(word), s.key() + ": class word '" + word + "' never in captions");
                }
            }
        }
    }

    @Test
    void taskSamplesAreDeterministicAndTasksDiffer() {
        EvalTasks a = new EvalTasks(SMALL, 4);
        EvalTasks b = new EvalTasks(SMALL, 4);
        SynthTaskSpec in1k = a.spec("imagenet1k");
        SynthTaskSpec v2 = a.spec("imagenetv2");
        int same = 0;
        for (int i = 0; i < 20; i++) {
            int[] x = pixels(a.sample(in1k, i).image());
            assertArrayEquals(x, pixels(b.sample(in1k, i).image()));
            same += java.util.Arrays.equals(x, pixels(a.sample(v2, i).image())) ? 1 : 0;
        }
        assertEquals(0, same, "imagenetv2 must be an independent sample");
    }

    private static int[] pixels(java.awt.image.BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
