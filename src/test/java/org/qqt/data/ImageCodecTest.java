package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class ImageCodecTest {
    private final ImageCodec codec = new ImageCodec();

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageCodecTest.class.getResourceAsStream("/images/" + name)) {
            return in.readAllBytes();
        }
    }

    /** The fixture's pixels (made with cwebp -lossless -exact from a PNG with these values). */
    private static int fixturePixel(int x, int y) {
        return ((x * 40) % 256) << 16 | ((y * 60) % 256) << 8 | ((x + y) * 25) % 256;
    }

    @Test
    void losslessWebpDecodesToTheExactPixels() throws Exception {
        BufferedImage img = codec.decode(resource("tiny-lossless.webp"));
        assertEquals(6, img.getWidth());
        assertEquals(4, img.getHeight());
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                assertEquals(fixturePixel(x, y), img.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void lossyWebpDecodes() throws Exception {
        byte[] webp = resource("tiny-lossy.webp");
        assertArrayEquals(new int[] {6, 4}, codec.dimensions(webp));
        BufferedImage img = codec.decode(webp);
        assertEquals(6, img.getWidth());
        assertEquals(4, img.getHeight());
    }

    @Test
    void jpegRoundTripIsCloseAtHighQuality() throws Exception {
        BufferedImage src = TestPools.solid(16, 16, 0x3366cc);
        BufferedImage back = codec.decode(ImageCodec.encodeJpeg(src, 0.95f));
        int p = back.getRGB(8, 8);
        assertTrue(Math.abs(((p >> 16) & 0xff) - 0x33) <= 3 && Math.abs(((p >> 8) & 0xff) - 0x66) <= 3
                && Math.abs((p & 0xff) - 0xcc) <= 3, Integer.toHexString(p));
    }

    @Test
    void truncatedJpegIsRefusedAsCorrupt() {
        BufferedImage src = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(3);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                src.setRGB(x, y, r.nextInt());
            }
        }
        byte[] jpg = ImageCodec.encodeJpeg(src, 0.9f);
        for (int cut : new int[] {jpg.length * 6 / 10, jpg.length / 5, 40}) {
            ImageDecodeException e = assertThrows(ImageDecodeException.class,
                    () -> codec.decode(Arrays.copyOf(jpg, cut)), "cut at " + cut);
            assertEquals(ImageDecodeException.Reason.CORRUPT, e.reason(), e.getMessage());
        }
    }

    @Test
    void bytesThatAreNoImageAreUnsupported() {
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> codec.decode("just a caption".getBytes()));
        assertEquals(ImageDecodeException.Reason.UNSUPPORTED, e.reason());
    }

    /** A PNG whose header claims 100000 x 100000 pixels: decoding it would need 30 GB. */
    static byte[] bombPng() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(100_000).putInt(100_000).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater d = new Deflater();
        d.setInput(new byte[1000]);
        d.finish();
        byte[] buf = new byte[100];
        int n = d.deflate(buf);
        chunk(out, "IDAT", Arrays.copyOf(buf, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes();
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void imageOverThePixelCapIsRefusedFromItsHeader() throws Exception {
        byte[] bomb = bombPng();
        assertArrayEquals(new int[] {100_000, 100_000}, codec.dimensions(bomb));
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> codec.decode(bomb));
        assertEquals(ImageDecodeException.Reason.TOO_LARGE, e.reason());
        // a small cap refuses an ordinary image too
        byte[] png = ImageCodec.encodePng(TestPools.solid(40, 30, 0));
        assertEquals(ImageDecodeException.Reason.TOO_LARGE,
                assertThrows(ImageDecodeException.class, () -> new ImageCodec(1199).decode(png)).reason());
        assertEquals(40, new ImageCodec(1200).decode(png).getWidth());
    }

    @Test
    void aFailedDecodeDoesNotSpoilTheNextOneOnTheSameThread() throws Exception {
        byte[] good = ImageCodec.encodeJpeg(TestPools.solid(16, 16, 0x204060), 0.95f);
        byte[] png = ImageCodec.encodePng(TestPools.solid(3, 5, 0x102030));
        for (int round = 0; round < 3; round++) {
            assertThrows(ImageDecodeException.class, () -> codec.decode(Arrays.copyOf(good, good.length / 2)));
            BufferedImage img = codec.decode(good);
            assertEquals(16, img.getWidth());
            assertTrue(Math.abs(((img.getRGB(8, 8) >> 8) & 0xff) - 0x40) <= 3);
            assertEquals(0x102030, codec.decode(png).getRGB(1, 1) & 0xffffff);
            assertEquals(ImageDecodeException.Reason.TOO_LARGE,
                    assertThrows(ImageDecodeException.class, () -> codec.decode(bombPng())).reason());
        }
    }

    @Test
    void jpegDecodesToThePixelsPillowDecodes() throws Exception {
        java.awt.image.BufferedImage img = codec.decode(resource("pillow-q90-420.jpg"));
        byte[] ref = resource("pillow-q90-420.rgb");
        assertEquals(48 * 40 * 3, ref.length);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 48; x++) {
                int p = img.getRGB(x, y);
                int i = (y * 48 + x) * 3;
                assertEquals(ref[i] & 0xff, (p >> 16) & 0xff, "R at " + x + "," + y);
                assertEquals(ref[i + 1] & 0xff, (p >> 8) & 0xff, "G at " + x + "," + y);
                assertEquals(ref[i + 2] & 0xff, p & 0xff, "B at " + x + "," + y);
            }
        }
    }
}
