package org.qqt.eval;

import java.util.Arrays;
import java.util.List;

/**
 * Images ready for an image encoder, laid out [size][3][imageSize][imageSize] (resized and centre-cropped to the
 * model's input) in one of two forms — the forms of {@code org.qqt.data.Batch}, so no DJL type appears in the
 * evaluation API:
 * <ul>
 *   <li>{@code uint8}: RGB bytes as {@code ClipImageTransform.apply} writes them (the task readers, scoring);
 *       the encoder normalises them on the device with CLIP's mean/std; or</li>
 *   <li>{@code pixels}: floats already normalised (tests, synthetic data).</li>
 * </ul>
 * Exactly one of the two is non-null.
 */
public record ImageBatch(int size, int imageSize, float[] pixels, byte[] uint8) {
    public ImageBatch {
        if (size < 0 || imageSize <= 0) {
            throw new IllegalArgumentException("size " + size + ", imageSize " + imageSize);
        }
        if ((pixels == null) == (uint8 == null)) {
            throw new IllegalArgumentException("an image batch holds either float pixels or uint8 bytes");
        }
        long have = pixels != null ? pixels.length : uint8.length;
        if (have != (long) size * pixelsPerImage(imageSize)) {
            throw new IllegalArgumentException("pixels length " + have + " != " + size + "x3x" + imageSize + "^2");
        }
    }

    /** Already-normalised float images. */
    public ImageBatch(int size, int imageSize, float[] pixels) {
        this(size, imageSize, pixels, null);
    }

    /** uint8 RGB CHW images (normalised by the encoder). */
    public static ImageBatch ofUint8(int size, int imageSize, byte[] uint8) {
        return new ImageBatch(size, imageSize, null, uint8);
    }

    public static int pixelsPerImage(int imageSize) {
        return 3 * imageSize * imageSize;
    }

    /** Bytes the images take on the host. */
    public long bytes() {
        return pixels != null ? 4L * pixels.length : uint8.length;
    }

    /** A copy of images [from, to). */
    public ImageBatch slice(int from, int to) {
        int per = pixelsPerImage(imageSize);
        return pixels != null
                ? new ImageBatch(to - from, imageSize, Arrays.copyOfRange(pixels, from * per, to * per))
                : ofUint8(to - from, imageSize, Arrays.copyOfRange(uint8, from * per, to * per));
    }

    /** The images of {@code parts} in order, in one batch (all of one form and size; at least one part). */
    public static ImageBatch concat(List<ImageBatch> parts) {
        ImageBatch first = parts.get(0);
        long n = 0;
        for (ImageBatch p : parts) {
            if (p.imageSize != first.imageSize || (p.pixels == null) != (first.pixels == null)) {
                throw new IllegalArgumentException("image batches of different sizes or forms");
            }
            n += p.size;
        }
        long values = n * pixelsPerImage(first.imageSize);
        if (values > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(n + " images are too many to hold in one array");
        }
        int at = 0;
        if (first.pixels != null) {
            float[] all = new float[(int) values];
            for (ImageBatch p : parts) {
                System.arraycopy(p.pixels, 0, all, at, p.pixels.length);
                at += p.pixels.length;
            }
            return new ImageBatch((int) n, first.imageSize, all);
        }
        byte[] all = new byte[(int) values];
        for (ImageBatch p : parts) {
            System.arraycopy(p.uint8, 0, all, at, p.uint8.length);
            at += p.uint8.length;
        }
        return ofUint8((int) n, first.imageSize, all);
    }
}
