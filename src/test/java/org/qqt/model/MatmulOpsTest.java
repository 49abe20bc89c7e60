package org.qqt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The TorchScript ops against the fp32 DJL ops: forward values and the gradients that reach the fp32 inputs.
 * Tolerances (relative L2 error over a whole tensor): fp32 through TorchScript 1e-5 (the same math, another
 * kernel); bf16 (8 mantissa bits, unit round-off 2^-9 ≈ 2e-3) 1e-2; fp16 (11 bits, 2^-12 ≈ 2.4e-4) 2e-3.
 */
class MatmulOpsTest {
    static double tolerance(MatmulPrecision p) {
        return switch (p) {
            case FP32 -> 1e-5;
            case FP16 -> 2e-3;
            case BF16 -> 1e-2;
        };
    }

    static float[] random(Random r, long n, double std) {
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return v;
    }

    /** Output and input gradients of sum(f(inputs) ⊙ weights), on fresh leaves. */
    static List<float[]> outputAndGradients(NDManager m, Function<NDArray[], NDArray> f, Shape[] shapes, long seed) {
        Random r = new Random(seed);
        NDArray[] in = new NDArray[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            in[i] = m.create(random(r, shapes[i].size(), 1.0), shapes[i]);
            in[i].setRequiresGradient(true);
        }
        List<float[]> out = new ArrayList<>();
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray y = f.apply(in);
            assertEquals(DataType.FLOAT32, y.getDataType());
            NDArray w = m.create(random(new Random(seed + 1), y.size(), 1.0), y.getShape());
            tape.backward(y.mul(w).sum());
            out.add(y.toFloatArray());
        }
        for (NDArray a : in) {
            out.add(a.getGradient().toFloatArray());
        }
        return out;
    }

    static double relativeError(float[] got, float[] want) {
        double d = 0;
        double n = 0;
        for (int i = 0; i < want.length; i++) {
            d += (got[i] - want[i]) * (double) (got[i] - want[i]);
            n += want[i] * (double) want[i];
        }
        return Math.sqrt(d / n);
    }

    static void assertClose(List<float[]> got, List<float[]> want, double tol, String what) {
        for (int i = 0; i < want.size(); i++) {
            double e = relativeError(got.get(i), want.get(i));
            assertTrue(e <= tol, what + (i == 0 ? " output" : " gradient of input " + i) + ": relative error " + e
                    + " > " + tol);
        }
    }

    @Test
    void linearMatchesFp32WithGradientsInEachPrecision() {
        Shape[] shapes = {new Shape(8, 17, 64), new Shape(96, 64), new Shape(96)};
        try (NDManager m = NDManager.newBaseManager(Device.cpu()); MatmulOps ref = MatmulOps.fp32()) {
            List<float[]> want = outputAndGradients(m, a -> ref.linear(a[0], a[1], a[2]), shapes, 3);
            for (MatmulPrecision p : MatmulPrecision.values()) {
                try (MatmulOps ops = MatmulOps.torchScript(p, Device.cpu(), true)) {
                    List<float[]> got = outputAndGradients(m, a -> ops.linear(a[0], a[1], a[2]), shapes, 3);
                    assertClose(got, want, tolerance(p), "linear " + p);
                }
            }
        }
    }

    @Test
    void fusedAttentionMatchesHandWrittenAttentionWithGradients() {
        Shape qkv = new Shape(4, 4, 17, 16);
        Shape[] shapes = {qkv, qkv, qkv};
        try (NDManager m = NDManager.newBaseManager(Device.cpu()); MatmulOps ref = MatmulOps.fp32()) {
            NDArray causal = TextTransformer.causalMask(m, 17);
            for (NDArray mask : new NDArray[] {null, causal}) {
                List<float[]> want = outputAndGradients(m, a -> ref.attention(a[0], a[1], a[2], mask), shapes, 5);
                for (MatmulPrecision p : MatmulPrecision.values()) {
                    try (MatmulOps ops = MatmulOps.torchScript(p, Device.cpu(), true)) {
                        List<float[]> got = outputAndGradients(m, a -> ops.attention(a[0], a[1], a[2], mask),
                                shapes, 5);
                        assertClose(got, want, tolerance(p), (mask == null ? "" : "causal ") + "attention " + p);
                    }
                }
            }
        }
    }
}
