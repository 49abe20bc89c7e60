package org.qqt.data;

/**
 * One training batch: {@code size} images and their token ids laid out [size][contextLength] in {@code tokens}
 * (SOT ... EOT, zero padded). The images are one of:
 * <ul>
 *   <li>{@code pixels}: uint8 RGB CHW laid out [size][3][imageSize][imageSize], as decoded and cropped (the
 *       loaders; 1 byte per value on the host, normalised with CLIP's mean/std on the device by
 *       {@code org.qqt.model.Clip#images(byte[], int, int, ai.djl.ndarray.NDManager)}), or</li>
 *   <li>{@code images}: float CHW already normalised, same layout (synthetic batches: {@code --data random}'s
 *       Gaussian images, tests).</li>
 * </ul>
 * Exactly one of the two is non-null.
 */
public record Batch(int size, int imageSize, int contextLength, byte[] pixels, float[] images, int[] tokens) {
    public Batch {
        long want = (long) size * 3 * imageSize * imageSize;
        if ((pixels == null) == (images == null)) {
            throw new IllegalArgumentException("a batch holds either uint8 pixels or float images");
        }
        long have = pixels != null ? pixels.length : images.length;
        if (have != want) {
            throw new IllegalArgumentException("images length " + have + " != " + size + "x3x" + imageSize + "^2");
        }
        if (tokens.length != (long) size * contextLength) {
            throw new IllegalArgumentException("tokens length " + tokens.length + " != " + size + "x" + contextLength);
        }
    }

    /** A batch of already-normalised float images. */
    public Batch(int size, int imageSize, int contextLength, float[] images, int[] tokens) {
        this(size, imageSize, contextLength, null, images, tokens);
    }

    /** A batch of uint8 pixels (normalised on the device). */
    public static Batch ofPixels(int size, int imageSize, int contextLength, byte[] pixels, int[] tokens) {
        return new Batch(size, imageSize, contextLength, pixels, null, tokens);
    }

    /** Bytes the images and tokens take on the host. */
    public long hostBytes() {
        long px = pixels != null ? pixels.length : 4L * images.length;
        return px + 4L * tokens.length;
    }
}
