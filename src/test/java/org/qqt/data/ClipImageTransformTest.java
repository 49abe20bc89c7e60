package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ClipImageTransformTest {
    @Test
    void imageOfTheTargetSizeIsCopiedChannelFirst() {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x0a141e);
        img.setRGB(1, 0, 0xffffff);
        img.setRGB(0, 1, 0x000000);
        img.setRGB(1, 1, 0x804020);
        byte[] out = new byte[1 + 12];
        new ClipImageTransform(2).apply(img, out, 1);
        // R plane, then G, then B; row-major within a plane; written at the offset
        assertEquals((byte) 0x0a, out[1]);
        assertEquals((byte) 0xff, out[2]);
        assertEquals((byte) 0x00, out[3]);
        assertEquals((byte) 0x80, out[4]);
        assertEquals((byte) 0x14, out[5]);
        assertEquals((byte) 0x40, out[8]);
        assertEquals((byte) 0x1e, out[9]);
        assertEquals((byte) 0x20, out[12]);
        assertEquals(0, out[0]);
    }

    @Test
    void tallImageIsCentreCroppedToTheMiddleBand() {
        BufferedImage img = new BufferedImage(32, 96, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 32; x++) {
                img.setRGB(x, y, y < 32 ? 0xff0000 : (y < 64 ? 0x00ff00 : 0x0000ff));
            }
        }
        byte[] out = new byte[3 * 32 * 32];
        new ClipImageTransform(32).apply(img, out, 0);
        for (int i = 0; i < 32 * 32; i++) {
            assertEquals((byte) 0, out[i]);
            assertEquals((byte) 255, out[1024 + i]);
            assertEquals((byte) 0, out[2048 + i]);
        }
    }

    @Test
    void downscalingKeepsAUniformColourAndTheShorterSideBecomesTheSize() {
        BufferedImage img = TestPools.solid(100, 60, 0x336699);
        byte[] out = new byte[3 * 16 * 16];
        new ClipImageTransform(16).apply(img, out, 0);
        for (int i = 0; i < 256; i++) {
            assertEquals((byte) 0x33, out[i]);
            assertEquals((byte) 0x66, out[256 + i]);
            assertEquals((byte) 0x99, out[512 + i]);
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
        byte[] out = new byte[3 * 16 * 16];
        new ClipImageTransform(16).apply(img, out, 0);
        for (int i = 16 * 4; i < 16 * 12; i++) {
            assertEquals(0.5, (out[i] & 0xff) / 255.0, 0.03, "pixel " + i);
        }
    }

    @Test
    void grayscaleIsReplicatedToThreeChannels() {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(1, 2, 0, 200);
        byte[] out = new byte[3 * 16];
        new ClipImageTransform(4).apply(img, out, 0);
        for (int c = 0; c < 3; c++) {
            assertEquals((byte) 200, out[c * 16 + 2 * 4 + 1]);
            assertEquals((byte) 0, out[c * 16]);
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
        byte[] out = new byte[3 * size * size];
        new ClipImageTransform(size).apply(new ImageCodec().decode(png), out, 0);
        int plane = size * size;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                int got = out[c * plane + i] & 0xff;
                assertEquals(expected[3 * i + c] & 0xff, got, name + " pixel " + i + " channel " + c);
            }
        }
    }

    /** The straightforward two-pass resample the fast path replaced (whole image, then crop), as the reference. */
    static byte[] reference(BufferedImage image, int size) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = ClipImageTransform.rgbBytes(image);
        int nw = w <= h ? size : (int) ((double) size * w / h);
        int nh = w <= h ? (int) ((double) size * h / w) : size;
        nw = Math.max(nw, size);
        nh = Math.max(nh, size);
        if (nw != w) {
            int[] first = new int[nw];
            int[][] k = ClipImageTransform.fixedPoint(ClipImageTransform.coefficients(w, nw, first));
            byte[] o = new byte[nw * h * 3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < nw; x++) {
                    for (int c = 0; c < 3; c++) {
                        int acc = 1 << (ClipImageTransform.PRECISION_BITS - 1);
                        for (int t = 0; t < k[x].length; t++) {
                            acc += k[x][t] * (rgb[(y * w + first[x] + t) * 3 + c] & 0xff);
                        }
                        o[(y * nw + x) * 3 + c] = (byte) Math.max(0, Math.min(255, acc >> ClipImageTransform.PRECISION_BITS));
                    }
                }
            }
            rgb = o;
            w = nw;
        }
        if (nh != h) {
            int[] first = new int[nh];
            int[][] k = ClipImageTransform.fixedPoint(ClipImageTransform.coefficients(h, nh, first));
            byte[] o = new byte[w * nh * 3];
            for (int y = 0; y < nh; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        int acc = 1 << (ClipImageTransform.PRECISION_BITS - 1);
                        for (int t = 0; t < k[y].length; t++) {
                            acc += k[y][t] * (rgb[((first[y] + t) * w + x) * 3 + c] & 0xff);
                        }
                        o[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, acc >> ClipImageTransform.PRECISION_BITS));
                    }
                }
            }
            rgb = o;
            h = nh;
        }
        int top = (int) Math.rint((h - size) / 2.0);
        int left = (int) Math.rint((w - size) / 2.0);
        byte[] out = new byte[3 * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                for (int c = 0; c < 3; c++) {
                    out[c * size * size + y * size + x] = rgb[((y + top) * w + x + left) * 3 + c];
                }
            }
        }
        return out;
    }

    @Test
    void theCropAwarePassesGiveExactlyTheWholeImageResampleThenCrop() {
        java.util.Random r = new java.util.Random(3);
        int[][] shapes = {{400, 300}, {300, 400}, {512, 256}, {257, 511}, {224, 300}, {300, 224}, {224, 224},
                {100, 60}, {31, 47}, {225, 225}};
        for (int[] wh : shapes) {
            for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB,
                    BufferedImage.TYPE_BYTE_GRAY}) {
                BufferedImage img = new BufferedImage(wh[0], wh[1], type);
                for (int y = 0; y < wh[1]; y++) {
                    for (int x = 0; x < wh[0]; x++) {
                        img.setRGB(x, y, (x * 7 + y * 3) % 256 << 16 | r.nextInt(256) << 8 | (x ^ y) & 0xff);
                    }
                }
                byte[] got = new byte[3 * 224 * 224 + 5];
                new ClipImageTransform(224).apply(img, got, 5);
                byte[] want = reference(img, 224);
                org.junit.jupiter.api.Assertions.assertArrayEquals(want,
                        java.util.Arrays.copyOfRange(got, 5, got.length), wh[0] + "x" + wh[1] + " type " + type);
            }
        }
    }
}
