package org.qqt.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.qqt.data.ClipTokenizer;
import org.qqt.data.CompactVocabulary;
import org.qqt.model.Clip;
import org.qqt.model.ModelConfig;

class ClipEncoderTest {
    private static final List<String> TEXTS = List.of("a red square", "a green circle on grass", "blue", "a red square",
            "two green things and a blue one");

    private static ImageBatch images(int n, int size) {
        Random r = new Random(7);
        float[] px = new float[n * ImageBatch.pixelsPerImage(size)];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        return new ImageBatch(n, size, px);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void unitNormFeaturesOfTheRightShapeIndependentOfBatchSize() {
        ModelConfig config = ModelConfig.load(Path.of("models/tiny.json"));
        CompactVocabulary vocab = CompactVocabulary.build(ClipTokenizer.load(), TEXTS);
        try (Clip model = new Clip(config, Device.cpu(), 3)) {
            ClipEncoder big = new ClipEncoder(model, vocab, 64);
            ClipEncoder small = new ClipEncoder(model, vocab, 2);
            ImageBatch batch = images(5, config.imageSize());
            float[][] a = big.encodeImages(batch);
            float[][] b = small.encodeImages(batch);
            assertEquals(5, a.length);
            for (int i = 0; i < 5; i++) {
                assertEquals(config.embedDim(), a[i].length);
                assertEquals(1.0, norm(a[i]), 1e-5);
                assertArrayEquals(a[i], b[i], 1e-5f, "image " + i + " differs between batch sizes");
            }
            assertNotEquals(a[0][0], a[1][0], "different images give different features");
            float[][] ta = big.encodeTexts(TEXTS);
            float[][] tb = small.encodeTexts(TEXTS);
            assertEquals(TEXTS.size(), ta.length);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertEquals(config.embedDim(), ta[i].length);
                assertEquals(1.0, norm(ta[i]), 1e-5);
                assertArrayEquals(ta[i], tb[i], 1e-5f, "text " + i + " differs between batch sizes");
            }
            assertArrayEquals(ta[0], ta[3], 1e-6f, "identical texts give identical features");
            float[][] one = small.encodeImages(batch.slice(3, 4));
            assertArrayEquals(a[3], one[0], 1e-5f);
        }
    }

    @Test
    void uint8ImagesGiveBitwiseTheFeaturesOfTheHostNormalisedFloats() {
        ModelConfig config = ModelConfig.load(Path.of("models/tiny.json"));
        int per = ImageBatch.pixelsPerImage(config.imageSize());
        int plane = per / 3;
        Random r = new Random(11);
        byte[] px = new byte[4 * per];
        r.nextBytes(px);
        float[] fl = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            fl[i] = org.qqt.data.ClipImageTransform.normalised((i % per) / plane, px[i] & 0xff); // the old host table
        }
        ImageBatch bytes = ImageBatch.ofUint8(4, config.imageSize(), px);
        try (Clip model = new Clip(config, Device.cpu(), 3)) {
            ClipEncoder enc = new ClipEncoder(model, CompactVocabulary.build(ClipTokenizer.load(), TEXTS), 3);
            float[][] a = enc.encodeImages(bytes);
            float[][] b = enc.encodeImages(new ImageBatch(4, config.imageSize(), fl));
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(b[i], a[i], "image " + i);
            }
        }
        // held in memory as bytes: a quarter of the floats
        InMemoryTaskData task = InMemoryTaskData.classification(Path.of("t"), List.of("a", "b"), List.of("{c}"),
                bytes, new int[] {0, 1, 1, 0});
        assertEquals(4L * per, task.imageBytes());
        byte[][] back = new byte[1][];
        task.forEachBatch(4, b -> back[0] = b.images().uint8());
        assertArrayEquals(px, back[0]);
        assertArrayEquals(px, ImageBatch.concat(List.of(bytes.slice(0, 1), bytes.slice(1, 4))).uint8());
    }
}
