package org.qqt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.qqt.testutil.TestModels;
import org.qqt.data.Batch;
import org.qqt.train.ContrastiveLoss;
import org.qqt.train.RandomBatchSource;

class ClipTest {
    static final ModelConfig TINY = TestModels.TINY;

    static Batch batch(int n, long seed) {
        try (RandomBatchSource s = new RandomBatchSource(seed, n, TINY.imageSize(), TINY.contextLength(),
                TINY.vocabSize(), 1000)) {
            return s.next();
        }
    }

    /** The forward pass of a whole batch, staged to the device. */
    static Clip.Features forward(Clip clip, Batch b, NDManager step) {
        return clip.forward(clip.images(b.images(), 0, b.size(), step), clip.tokens(b.tokens(), 0, b.size(), step),
                step);
    }

    @Test
    void parameterCountMatchesTheConfigsFormula() {
        try (Clip clip = new Clip(TINY, Device.cpu(), 0)) {
            long sum = clip.parameters().values().stream().mapToLong(NDArray::size).sum();
            assertEquals(TINY.parameterCount(), sum);
        }
    }

    @Test
    void vitB32HasOpenClipsParameterCount() {
        // open_clip ViT-B-32: sum(p.numel() for p in model.parameters()) == 151,277,313
        assertEquals(151_277_313L, ModelConfig.load(Path.of("models/vit-b-32.json")).parameterCount());
    }

    @Test
    void pixelsStagedInSlicesGiveTheSameArrayAsInOneCopy() {
        Batch b = batch(10, 4);
        int per = 3 * TINY.imageSize() * TINY.imageSize();
        try (Clip clip = new Clip(TINY, Device.cpu(), 0); NDManager step = clip.manager().newSubManager()) {
            float[] once = clip.images(b.images(), 2, 7, step).toFloatArray();
            NDArray sliced = clip.images(b.images(), 2, 7, step, 3L * 4 * per); // 3 images per copy: 3 + 3 + 1
            assertEquals(new ai.djl.ndarray.types.Shape(7, 3, TINY.imageSize(), TINY.imageSize()), sliced.getShape());
            assertArrayEquals(once, sliced.toFloatArray());
            float[] expected = java.util.Arrays.copyOfRange(b.images(), 2 * per, 9 * per);
            assertArrayEquals(expected, once);
        }
    }

    @Test
    void pixelsNormalisedOnTheDeviceEqualTheHostTableBitwise() {
        int s = TINY.imageSize();
        int per = 3 * s * s;
        int n = 5;
        byte[] px = new byte[n * per];
        float[] table = new float[n * per];
        for (int i = 0; i < px.length; i++) {
            int v = (i * 7 + i / per) & 0xff; // every byte value in every channel plane
            int c = (i % per) / (s * s);
            px[i] = (byte) v;
            table[i] = org.qqt.data.ClipImageTransform.normalised(c, v);
        }
        try (Clip clip = new Clip(TINY, Device.cpu(), 0); NDManager step = clip.manager().newSubManager()) {
            NDArray device = clip.images(px, 1, 3, step);
            assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, device.getDataType());
            assertEquals(new ai.djl.ndarray.types.Shape(3, 3, s, s), device.getShape());
            float[] got = device.toFloatArray();
            float[] want = java.util.Arrays.copyOfRange(table, per, 4 * per);
            for (int i = 0; i < got.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                        "value " + i + ": device " + got[i] + ", host table " + want[i]);
            }
            // staged in slices of 2 images: the same array
            assertArrayEquals(got, clip.images(px, 1, 3, step, 2L * per).toFloatArray());
        }
    }

    @Test
    void initialWeightsArePureFunctionOfSeed() {
        try (Clip a = new Clip(TINY, Device.cpu(), 7); Clip b = new Clip(TINY, Device.cpu(), 7);
             Clip c = new Clip(TINY, Device.cpu(), 8)) {
            String name = "visual.transformer.resblocks.1.attn.in_proj_weight";
            assertArrayEquals(a.parameters().get(name).toFloatArray(), b.parameters().get(name).toFloatArray());
            assertTrue(a.parameters().get(name).sub(c.parameters().get(name)).abs().sum().getFloat() > 0);
            assertEquals(Math.log(1 / 0.07), a.logitScale().getFloat(), 1e-6);
        }
    }

    @Test
    void gradientsReachBothTowersAndTheLogitScale() {
        try (Clip clip = new Clip(TINY, Device.cpu(), 0); NDManager step = clip.manager().newSubManager()) {
            try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                Clip.Features f = ClipTest.forward(clip, batch(8, 1), step);
                assertEquals(8, f.image().getShape().get(0));
                assertEquals(TINY.embedDim(), f.text().getShape().get(1));
                tape.backward(ContrastiveLoss.full(f.image(), f.text(), f.scale()).loss());
            }
            for (String name : new String[] {"visual.conv1.weight", "visual.class_embedding", "visual.proj",
                    "token_embedding.weight", "positional_embedding", "transformer.resblocks.0.attn.in_proj_weight",
                    "text_projection", "logit_scale"}) {
                try (NDArray g = clip.parameters().get(name).getGradient()) {
                    assertTrue(g.abs().sum().getFloat() > 0, name + " has no gradient");
                }
            }
        }
    }

    @Test
    void logitScaleIsClampedAtLn100WithZeroGradient() {
        try (Clip clip = new Clip(TINY, Device.cpu(), 0); NDManager step = clip.manager().newSubManager()) {
            clip.logitScale().set(new float[] {5.0f});
            try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                Clip.Features f = ClipTest.forward(clip, batch(8, 2), step);
                assertEquals(100.0, f.scale().getFloat(), 1e-3);
                tape.backward(ContrastiveLoss.full(f.image(), f.text(), f.scale()).loss());
            }
            try (NDArray g = clip.logitScale().getGradient()) {
                assertEquals(0f, g.getFloat());
            }
            try (NDArray g = clip.parameters().get("visual.proj").getGradient()) {
                assertTrue(g.abs().sum().getFloat() > 0);
            }
        }
    }

    @Test
    void textFeaturesArePooledAtTheEotTokenAndIgnoreLaterPositions() {
        // causal mask + EOT pooling: changing a padding position after EOT must not change the text features
        try (Clip clip = new Clip(TINY, Device.cpu(), 0); NDManager step = clip.manager().newSubManager()) {
            int t = TINY.contextLength();
            int[] tokens = new int[2 * t];
            int[] row = {TINY.vocabSize() - 2, 5, 9, TINY.vocabSize() - 1};
            System.arraycopy(row, 0, tokens, 0, row.length);
            System.arraycopy(row, 0, tokens, t, row.length);
            float[] a = clip.encodeText(tokens, 2, step).toFloatArray();
            tokens[t + 1] = 6; // second row differs before EOT
            float[] b = clip.encodeText(tokens, 2, step).toFloatArray();
            int e = TINY.embedDim();
            for (int i = 0; i < e; i++) {
                assertEquals(a[i], a[e + i], 1e-6, "identical rows give identical features");
                assertEquals(a[i], b[i], 1e-6, "row 0 unchanged");
            }
            double diff = 0;
            for (int i = 0; i < e; i++) {
                diff += Math.abs(b[e + i] - a[e + i]);
            }
            assertTrue(diff > 1e-4, "a token before EOT changes the features");
        }
    }
}
