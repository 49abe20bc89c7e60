package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ClipImageTransformTest {
    private static float norm(int v, int c) {
        return (v / 255f - ClipImageTransform.MEAN[c]) / ClipImageTransform.STD[c];
    }

    @Test
    void imageOfTheTargetSizeIsNormalisedChannelFirst() {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x0a141e);
        img.setRGB(1, 0, 0xffffff);
        img.setRGB(0, 1, 0x000000);
        img.setRGB(1, 1, 0x804020);
        float[] out = new float[1 + 12];
        new ClipImageTransform(2).apply(img, out, 1);
        // R plane, then G, then B; row-major within a plane; written at the offset
        assertEquals(norm(0x0a, 0), out[1], 1e-6);
        assertEquals(norm(0xff, 0), out[2], 1e-6);
        assertEquals(norm(0x00, 0), out[3], 1e-6);
        assertEquals(norm(0x80, 0), out[4], 1e-6);
        assertEquals(norm(0x14, 1), out[5], 1e-6);
        assertEquals(norm(0x40, 1), out[8], 1e-6);
        assertEquals(norm(0x1e, 2), out[9], 1e-6);
        assertEquals(norm(0x20, 2), out[12], 1e-6);
        assertEquals(0f, out[0]);
    }

    @Test
    void tallImageIsCentreCroppedToTheMiddleBand() {
        BufferedImage img = new BufferedImage(32, 96, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 32; x++) {
                img.setRGB(x, y, y < 32 ? 0xff0000 : (y < 64 ? 0x00ff00 : 0x0000ff));
            }
        }
        float[] out = new float[3 * 32 * 32];
        new ClipImageTransform(32).apply(img, out, 0);
        for (int i = 0; i < 32 * 32; i++) {
            assertEquals(norm(0, 0), out[i], 1e-6);
            assertEquals(norm(255, 1), out[1024 + i], 1e-6);
            assertEquals(norm(0, 2), out[2048 + i], 1e-6);
        }
    }

    @Test
    void downscalingKeepsAUniformColourAndTheShorterSideBecomesTheSize() {
        BufferedImage img = TestPools.solid(100, 60, 0x336699);
        float[] out = new float[3 * 16 * 16];
        new ClipImageTransform(16).apply(img, out, 0);
        for (int i = 0; i < 256; i++) {
            assertEquals(norm(0x33, 0), out[i], 1e-6);
            assertEquals(norm(0x66, 1), out[256 + i], 1e-6);
            assertEquals(norm(0x99, 2), out[512 + i], 1e-6);
        }
    }

    @Test
    void downscalingAveragesLikeAnAntialiasedFilter() {
        // a 2-pixel checkerboard shrunk 4x must come out close to mid-gray (an unfiltered bicubic would alias)
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, ((x + y) & 1) == 0 ? 0xffffff : 0);
            }
        }
        float[] out = new float[3 * 16 * 16];
        new ClipImageTransform(16).apply(img, out, 0);
        for (int i = 16 * 4; i < 16 * 12; i++) {
            float v = out[i] * ClipImageTransform.STD[0] + ClipImageTransform.MEAN[0];
            assertEquals(0.5, v, 0.03, "pixel " + i);
        }
    }

    @Test
    void grayscaleIsReplicatedToThreeChannels() {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(1, 2, 0, 200);
        float[] out = new float[3 * 16];
        new ClipImageTransform(4).apply(img, out, 0);
        for (int c = 0; c < 3; c++) {
            assertEquals(norm(200, c), out[c * 16 + 2 * 4 + 1], 1e-6);
            assertEquals(norm(0, c), out[c * 16], 1e-6);
        }
    }

    /** Fixtures made by make_pillow_parity.py with Pillow 9.4: torchvision Resize + CenterCrop on PIL images. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"parity-37x23", "parity-10x14", "parity-64x50"})
    void resizeAndCropMatchPillowExactly(String name) throws Exception {
        byte[] png;
        byte[] expected;
        try (var a = getClass().getResourceAsStream("/images/" + name + ".png");
             var b = getClass().getResourceAsStream("/images/" + name + ".rgb")) {
            png = a.readAllBytes();
            expected = b.readAllBytes();
        }
        int size = (int) Math.round(Math.sqrt(expected.length / 3.0));
        float[] out = new float[3 * size * size];
        new ClipImageTransform(size).apply(new ImageCodec().decode(png), out, 0);
        int plane = size * size;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                int got = Math.round((out[c * plane + i] * ClipImageTransform.STD[c] + ClipImageTransform.MEAN[c]) * 255);
                assertEquals(expected[3 * i + c] & 0xff, got, name + " pixel " + i + " channel " + c);
            }
        }
    }
}
