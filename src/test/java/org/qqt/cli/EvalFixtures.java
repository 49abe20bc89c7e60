package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.qqt.cli.CliRun.qqt;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qqt.data.ClipTokenizer;
import org.qqt.data.CompactVocabulary;
import org.qqt.data.ImageCodec;
import org.qqt.data.TaskSample;
import org.qqt.data.TaskWriter;
import org.qqt.train.DataSources;

/** Tiny runs, tasks and suites for the eval and score command tests. */
final class EvalFixtures {
    private EvalFixtures() {}

    static final List<String> COLOURS = List.of("red", "green", "blue");
    static final int[] RGB = {0xdd2211, 0x22cc33, 0x1133ee};

    static BufferedImage solid(int size, int rgb, int noise) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, rgb ^ ((x * 7 + y * 13 + noise) & 0x0f));
            }
        }
        return img;
    }

    /** Trains a 2-step run of {@code model} with random data and writes its compact vocab.json. */
    static Path trainRun(Path dir, String name, Path model) throws Exception {
        Path run = dir.resolve(name);
        CliRun r = qqt("train", "--data", "random", "--model", model.toString(), "--samples-seen", "512", "--batch",
                "256", "--device", "cpu", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
        List<String> words = new ArrayList<>();
        for (String c : COLOURS) {
            words.add("a photo of a " + c + " square.");
            words.add("a " + c + " thing");
            words.add("the " + c + " square, a caption number");
        }
        CompactVocabulary.build(ClipTokenizer.load(), words).save(run.resolve(DataSources.VOCAB_FILE));
        return run;
    }

    /** A classification task of 3 colour classes, {@code perClass} images each, 40x40 PNGs. */
    static void classificationTask(Path dir, int perClass) {
        try (TaskWriter w = TaskWriter.classification(dir, COLOURS, List.of("a photo of a {c} square.", "a {c} thing"),
                4)) {
            for (int i = 0; i < perClass; i++) {
                for (int c = 0; c < COLOURS.size(); c++) {
                    w.add(TaskSample.classification("png", ImageCodec.encodePng(solid(40, RGB[c], i)), c));
                }
            }
        }
    }

    static void retrievalTask(Path dir) {
        try (TaskWriter w = TaskWriter.retrieval(dir, 10)) {
            for (int c = 0; c < COLOURS.size(); c++) {
                w.add(TaskSample.retrieval("png", ImageCodec.encodePng(solid(40, RGB[c], c)),
                        List.of("a " + COLOURS.get(c) + " thing", "the " + COLOURS.get(c) + " square")));
            }
        }
    }

    /** World dir with tasks/imagenet1k, tasks/cars (classification) and tasks/flickr30k (retrieval) + a suite. */
    static Path suite(Path world) throws Exception {
        classificationTask(world.resolve("tasks/imagenet1k"), 3);
        classificationTask(world.resolve("tasks/cars"), 2);
        retrievalTask(world.resolve("tasks/flickr30k"));
        Path suite = world.resolve("suite.yaml");
        Files.writeString(suite, """
                name: tiny3
                tasks:
                  - key: imagenet1k
                    path: tasks/imagenet1k
                  - key: cars
                    path: tasks/cars
                  - key: retrieval/flickr_1k_test_image_text_retrieval
                    path: tasks/flickr30k
                """);
        return suite;
    }
}
