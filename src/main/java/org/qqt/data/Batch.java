package org.qqt.data;

/**
 * One training batch, ready for the model: {@code size} images as float CHW (RGB, normalised with CLIP's
 * mean/std) laid out [size][3][imageSize][imageSize] in {@code images}, and their token ids laid out
 * [size][contextLength] in {@code tokens} (SOT ... EOT, zero padded).
 */
public record Batch(int size, int imageSize, int contextLength, float[] images, int[] tokens) {
    public Batch {
        if (images.length != (long) size * 3 * imageSize * imageSize) {
            throw new IllegalArgumentException("images length " + images.length + " != " + size + "x3x" + imageSize + "^2");
        }
        if (tokens.length != (long) size * contextLength) {
            throw new IllegalArgumentException("tokens length " + tokens.length + " != " + size + "x" + contextLength);
        }
    }
}
