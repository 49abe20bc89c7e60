package org.qqt.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/**
 * open_clip's eval transform, in Java: resize so the shorter side is {@code size} (bicubic, antialiased as
 * Pillow resamples: the kernel (a = -0.5) is widened by the scale factor when shrinking; horizontal pass, then
 * vertical, each in Pillow's 22-bit fixed point and rounded to 8 bits), centre crop {@code size}×{@code size}
 * (offsets rounded half-to-even as torchvision does), then RGB uint8 CHW: the bytes torchvision's ToTensor
 * would scale; CLIP's mean/std normalisation is done on the device ({@code org.qqt.model.Clip#images}).
 * Tested to match Pillow 9.4 + torchvision's Resize/CenterCrop byte for byte on up- and downscaled fixtures.
 * An image already {@code size}×{@code size} is copied without resampling. Alpha is dropped (as {@code Image.convert("RGB")}); grayscale is replicated.
 * Thread-safe.
 */
public final class ClipImageTransform {
    /** CLIP's per-channel pixel mean and std, RGB (open_clip's OPENAI_DATASET_MEAN / OPENAI_DATASET_STD). */
    public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
    private final int size;
    /** A reused buffer per thread for the horizontal pass's rows (up to a few hundred KB). */
    private final ThreadLocal<byte[]> midBuffer = ThreadLocal.withInitial(() -> new byte[0]);

    public ClipImageTransform(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("image size must be >= 1");
        }
        this.size = size;
    }

    public int size() {
        return size;
    }

    /**
     * Writes 3×size×size bytes (uint8, C, H, W) at {@code out[offset...]}. Only what the crop keeps is
     * resampled: the horizontal pass computes the crop's columns for the input rows the vertical pass reads, the
     * vertical pass the crop's rows, and its 8-bit results go straight into the CHW planes of {@code out}; every
     * kept pixel is computed with exactly Pillow's arithmetic. A 3-byte BGR raster is read in place.
     */
    public void apply(BufferedImage image, byte[] out, int offset) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] src = bgrBuffer(image);
        boolean bgr = src != null;
        if (!bgr) {
            src = rgbBytes(image);
        }
        int nw;
        int nh;
        if (w <= h) {
            nw = size;
            nh = (int) ((double) size * h / w);
        } else {
            nh = size;
            nw = (int) ((double) size * w / h);
        }
        nw = Math.max(nw, size);
        nh = Math.max(nh, size);
        int top = (int) Math.rint((nh - size) / 2.0);
        int left = (int) Math.rint((nw - size) / 2.0);

        // the input rows the kept output rows read
        int[] firstY = null;
        int[][] ky = null;
        int r0 = top;
        int r1 = top + size;
        if (nh != h) {
            int[] all = new int[nh];
            int[][] k = fixedPoint(coefficients(h, nh, all));
            firstY = java.util.Arrays.copyOfRange(all, top, top + size);
            ky = java.util.Arrays.copyOfRange(k, top, top + size);
            r0 = firstY[0];
            r1 = 0;
            for (int i = 0; i < size; i++) {
                r1 = Math.max(r1, firstY[i] + ky[i].length);
            }
        }
        // horizontal pass: the crop's columns of rows r0..r1, RGB
        int rows = r1 - r0;
        int rowBytes = size * 3;
        byte[] mid = scratch(rows * rowBytes); // every byte used below is written first
        int cr = bgr ? 2 : 0;
        int cb = bgr ? 0 : 2;
        if (nw != w) {
            int[] all = new int[nw];
            int[][] k = fixedPoint(coefficients(w, nw, all));
            // the crop's kernels in one array: taps of column x at kFlat[kStart[x] .. kStart[x + 1])
            int[] kStart = new int[size + 1];
            for (int x = 0; x < size; x++) {
                kStart[x + 1] = kStart[x] + k[left + x].length;
            }
            int[] kFlat = new int[kStart[size]];
            int[] srcStart = new int[size];
            for (int x = 0; x < size; x++) {
                System.arraycopy(k[left + x], 0, kFlat, kStart[x], k[left + x].length);
                srcStart[x] = all[left + x] * 3;
            }
            for (int y = 0; y < rows; y++) {
                int rowStart = (y + r0) * w * 3;
                int d = y * rowBytes;
                for (int x = 0; x < size; x++, d += 3) {
                    int r = 1 << (PRECISION_BITS - 1);
                    int g = r;
                    int b = r;
                    int s = rowStart + srcStart[x];
                    int end = kStart[x + 1];
                    for (int t = kStart[x]; t < end; t++, s += 3) {
                        int kt = kFlat[t];
                        int c0 = src[s] & 0xff;
                        int c1 = src[s + 1] & 0xff;
                        int c2 = src[s + 2] & 0xff;
                        r += kt * (bgr ? c2 : c0);
                        g += kt * c1;
                        b += kt * (bgr ? c0 : c2);
                    }
                    mid[d] = (byte) clip8(r);
                    mid[d + 1] = (byte) clip8(g);
                    mid[d + 2] = (byte) clip8(b);
                }
            }
        } else {
            for (int y = 0; y < rows; y++) {
                int s = ((y + r0) * w + left) * 3;
                int d = y * rowBytes;
                for (int x = 0; x < size; x++, s += 3, d += 3) {
                    mid[d] = src[s + cr];
                    mid[d + 1] = src[s + 1];
                    mid[d + 2] = src[s + cb];
                }
            }
        }
        // vertical pass over whole rows (sequential reads), into the CHW planes
        int plane = size * size;
        int[] acc = ky == null ? null : new int[rowBytes];
        for (int i = 0; i < size; i++) {
            int dst = offset + i * size;
            if (ky == null) {
                int s = (i + top - r0) * rowBytes;
                for (int x = 0; x < size; x++, s += 3) {
                    out[dst + x] = mid[s];
                    out[dst + plane + x] = mid[s + 1];
                    out[dst + 2 * plane + x] = mid[s + 2];
                }
                continue;
            }
            java.util.Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            int[] k = ky[i];
            for (int t = 0; t < k.length; t++) {
                int kt = k[t];
                int s = (firstY[i] + t - r0) * rowBytes;
                for (int q = 0; q < rowBytes; q++) {
                    acc[q] += kt * (mid[s + q] & 0xff);
                }
            }
            for (int x = 0, q = 0; x < size; x++, q += 3) {
                out[dst + x] = (byte) clip8(acc[q]);
                out[dst + plane + x] = (byte) clip8(acc[q + 1]);
                out[dst + 2 * plane + x] = (byte) clip8(acc[q + 2]);
            }
        }
    }

    /**
     * CLIP's normalisation of byte value {@code v} of channel {@code c} in float arithmetic, {@code (v / 255f −
     * MEAN[c]) / STD[c]}: the host table that the loader applied before pixels went to the device as uint8, and the
     * reference that the device normalisation ({@code org.qqt.model.Clip#images(byte[], ...)}) is tested against.
     */
    public static float normalised(int c, int v) {
        return (v / 255f - MEAN[c]) / STD[c];
    }

    private byte[] scratch(int n) {
        byte[] b = midBuffer.get();
        if (b.length < n) {
            b = new byte[n];
            midBuffer.set(b);
        }
        return b;
    }

    /** The raster's bytes when it is one packed B,G,R buffer (as ImageIO decodes a colour JPEG), else null. */
    private static byte[] bgrBuffer(BufferedImage image) {
        Raster r = image.getRaster();
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR && r.getDataBuffer() instanceof DataBufferByte db
                && db.getNumBanks() == 1 && db.getOffset() == 0 && r.getSampleModelTranslateX() == 0
                && r.getSampleModelTranslateY() == 0
                && db.getData().length == image.getWidth() * image.getHeight() * 3) {
            return db.getData();
        }
        return null;
    }

    /** Interleaved R,G,B bytes, row-major. */
    static byte[] rgbBytes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        Raster r = image.getRaster();
        byte[] bgr = bgrBuffer(image);
        if (bgr != null) {
            for (int i = 0; i < bgr.length; i += 3) {
                out[i] = bgr[i + 2];
                out[i + 1] = bgr[i + 1];
                out[i + 2] = bgr[i];
            }
            return out;
        }
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) row[x];
                    int i = (y * w + x) * 3;
                    out[i] = v;
                    out[i + 1] = v;
                    out[i + 2] = v;
                }
            }
            return out;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            out[3 * i] = (byte) (p >> 16);
            out[3 * i + 1] = (byte) (p >> 8);
            out[3 * i + 2] = (byte) p;
        }
        return out;
    }

    static double bicubic(double x) {
        final double a = -0.5;
        x = Math.abs(x);
        if (x < 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0;
    }

    /** Pillow's precompute_coeffs: per output index, first input index and normalised weights. */
    static double[][] coefficients(int in, int out, int[] first) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = 2.0 * filterScale;
        double[][] weights = new double[out][];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), in);
            double[] k = new double[xmax - xmin];
            double total = 0;
            for (int x = 0; x < k.length; x++) {
                k[x] = bicubic((x + xmin - center + 0.5) / filterScale);
                total += k[x];
            }
            for (int x = 0; x < k.length; x++) {
                k[x] = total == 0 ? 0 : k[x] / total;
            }
            first[i] = xmin;
            weights[i] = k;
        }
        return weights;
    }

    /** Pillow's 8-bit fixed point: weights scaled by 2^22 and rounded away from zero, sums rounded half up. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    static int[][] fixedPoint(double[][] k) {
        int[][] out = new int[k.length][];
        for (int i = 0; i < k.length; i++) {
            out[i] = new int[k[i].length];
            for (int x = 0; x < k[i].length; x++) {
                double v = k[i][x] * (1 << PRECISION_BITS);
                out[i][x] = (int) (v < 0 ? v - 0.5 : v + 0.5);
            }
        }
        return out;
    }

    private static int clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }
}
