package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContrastiveLossTest {

    private static float[] randn(Random r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return v;
    }

    /** The loss by hand in doubles: normalise, logits, logsumexp over rows and over columns. */
    static double reference(float[] img, float[] txt, int n, int d, double scale) {
        double[][] u = normalized(img, n, d);
        double[][] v = normalized(txt, n, d);
        double[][] s = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    dot += u[i][k] * v[j][k];
                }
                s[i][j] = scale * dot;
            }
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            double rowSum = 0;
            double colSum = 0;
            for (int j = 0; j < n; j++) {
                rowSum += Math.exp(s[i][j]);
                colSum += Math.exp(s[j][i]);
            }
            total += Math.log(rowSum) - s[i][i] + Math.log(colSum) - s[i][i];
        }
        return total / (2 * n);
    }

    private static double[][] normalized(float[] x, int n, int d) {
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int k = 0; k < d; k++) {
                norm += (double) x[i * d + k] * x[i * d + k];
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < d; k++) {
                out[i][k] = x[i * d + k] / norm;
            }
        }
        return out;
    }

    @Test
    void lossEqualsFloat64ReferenceComputedByHand() {
        int n = 12;
        int d = 8;
        Random r = new Random(3);
        float[] img = randn(r, n * d, 1);
        float[] txt = randn(r, n * d, 1);
        for (double scale : new double[] {1, 14.285714, 100}) {
            double expected = reference(img, txt, n, d, scale);
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray i = m.create(img, new Shape(n, d));
                NDArray t = m.create(txt, new Shape(n, d));
                NDArray c = m.create((float) scale);
                assertEquals(expected, ContrastiveLoss.full(i, t, c).loss().getFloat(), 1e-5 * Math.max(1, expected));
                assertEquals(expected, ContrastiveLoss.blockwise(i, t, c, 5).loss().getFloat(),
                        1e-5 * Math.max(1, expected));
            }
        }
    }

    @Test
    void blockwiseGivesTheSameLossAndGradientsAsTheFullMatrix() {
        int n = 23;
        int d = 16;
        Random r = new Random(11);
        float[] img = randn(r, n * d, 1);
        float[] txt = randn(r, n * d, 1);
        // correlated pairs, so the loss is not near ln n and the gradients are not symmetric
        for (int k = 0; k < n * d; k++) {
            txt[k] += 0.8f * img[k];
        }
        float[][] full = lossAndGradients(img, txt, n, d, 0);
        for (int block : new int[] {1, 4, 7, 23, 64}) {
            float[][] blk = lossAndGradients(img, txt, n, d, block);
            assertEquals(full[0][0], blk[0][0], 1e-5, "loss, block " + block);
            for (int g = 1; g <= 3; g++) {
                for (int k = 0; k < full[g].length; k++) {
                    assertEquals(full[g][k], blk[g][k], 1e-6 + 1e-4 * Math.abs(full[g][k]),
                            "gradient " + g + "[" + k + "], block " + block);
                }
            }
        }
    }

    /** {loss}, d/dimage, d/dtext, d/dlogit_scale, with the scale parameterised as exp(min(ls, ln 100)). */
    private static float[][] lossAndGradients(float[] img, float[] txt, int n, int d, int block) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray i = m.create(img, new Shape(n, d));
            NDArray t = m.create(txt, new Shape(n, d));
            NDArray ls = m.create((float) Math.log(1 / 0.07));
            i.setRequiresGradient(true);
            t.setRequiresGradient(true);
            ls.setRequiresGradient(true);
            float loss;
            try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                NDArray scale = m.create((float) Math.log(100)).minimum(ls).exp();
                ContrastiveLoss.Result res = block == 0 ? ContrastiveLoss.full(i, t, scale)
                        : ContrastiveLoss.blockwise(i, t, scale, block);
                tape.backward(res.backwardTarget());
                loss = res.loss().getFloat();
            }
            float[][] out = {{loss}, i.getGradient().toFloatArray(), t.getGradient().toFloatArray(),
                    ls.getGradient().toFloatArray()};
            return out;
        }
    }
}
