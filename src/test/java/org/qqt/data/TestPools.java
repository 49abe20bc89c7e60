package org.qqt.data;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small synthetic pools for tests: sample i has uid(i) and a solid PNG whose red/green channels encode i. */
final class TestPools {
    private TestPools() {}

    static Uid uid(int i) {
        return new Uid(0x1234_5678_0000_0000L | i, 0xfeedL * (i + 1));
    }

    static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    /** Colour of sample i: red = i % 256, green = i / 256, blue = 77. */
    static int colourOf(int i) {
        return ((i % 256) << 16) | ((i / 256) << 8) | 77;
    }

    static Map<String, byte[]> sample(int i, int size) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("png", ImageCodec.encodePng(solid(size, size, colourOf(i))));
        m.put("txt", ("caption number " + i).getBytes(StandardCharsets.UTF_8));
        m.put("json", ("{\"uid\": \"" + uid(i).hex() + "\", \"key\": \"" + i + "\"}").getBytes(StandardCharsets.UTF_8));
        return m;
    }

    /** Writes samples 0..n-1 (8x8 PNGs) in shards of {@code perShard}. */
    static void write(Path dir, int n, int perShard) {
        try (ShardWriter w = new ShardWriter(dir, perShard, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 0; i < n; i++) {
                w.write(sample(i, 8));
            }
        }
    }

    /** Sample index encoded in image row {@code j} of a batch (the top-left pixel's red and green bytes). */
    static int indexInBatch(Batch b, int j) {
        int plane = b.imageSize() * b.imageSize();
        int base = j * 3 * plane;
        int r = b.pixels()[base] & 0xff;
        int g = b.pixels()[base + plane] & 0xff;
        return g * 256 + r;
    }
}
