package org.qqt.eval;

/** Embedding arithmetic shared by the metrics: sums in double, results deterministic for equal inputs. */
final class Vectors {
    /** As torch's F.normalize: v / max(|v|, 1e-12). */
    private static final double EPS = 1e-12;

    private Vectors() {}

    static float[] normalized(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        double inv = 1.0 / Math.max(Math.sqrt(s), EPS);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * inv);
        }
        return out;
    }

    static float[] normalized(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        double inv = 1.0 / Math.max(Math.sqrt(s), EPS);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * inv);
        }
        return out;
    }

    static float[][] normalizedRows(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = normalized(rows[i]);
        }
        return out;
    }

    /** Dot product in double with four interleaved partial sums (a fixed order: same inputs, same bits). */
    static double dot(float[] a, float[] b) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int n = a.length;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += (double) a[i] * b[i];
            s1 += (double) a[i + 1] * b[i + 1];
            s2 += (double) a[i + 2] * b[i + 2];
            s3 += (double) a[i + 3] * b[i + 3];
        }
        for (; i < n; i++) {
            s0 += (double) a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Checks an encoder's output shape; {@code what} names it in the message. */
    static void checkShape(float[][] rows, int n, int dim, String what) {
        if (rows.length != n) {
            throw new IllegalStateException(what + ": encoder returned " + rows.length + " embeddings for " + n + " inputs");
        }
        for (float[] r : rows) {
            if (dim >= 0 && r.length != dim) {
                throw new IllegalStateException(what + ": embedding of size " + r.length + ", expected " + dim);
            }
        }
    }
}
