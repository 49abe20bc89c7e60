package org.qqt.eval;

/**
 * Images ready for an image encoder: {@code size} images as float CHW (RGB, normalised with CLIP's mean/std,
 * resized to the model's input) laid out [size][3][imageSize][imageSize] in {@code pixels} — the same layout
 * as {@code org.qqt.data.Batch#images()}, so no DJL type appears in the evaluation API.
 */
public record ImageBatch(int size, int imageSize, float[] pixels) {
    public ImageBatch {
        if (size < 0 || imageSize <= 0) {
            throw new IllegalArgumentException("size " + size + ", imageSize " + imageSize);
        }
        if (pixels.length != (long) size * pixelsPerImage(imageSize)) {
            throw new IllegalArgumentException("pixels length " + pixels.length + " != " + size + "x3x" + imageSize + "^2");
        }
    }

    public static int pixelsPerImage(int imageSize) {
        return 3 * imageSize * imageSize;
    }

    /** A copy of images [from, to). */
    public ImageBatch slice(int from, int to) {
        int per = pixelsPerImage(imageSize);
        return new ImageBatch(to - from, imageSize, java.util.Arrays.copyOfRange(pixels, from * per, to * per));
    }
}
