package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qqt.model.Clip;
import org.qqt.model.ModelConfig;

class AdamWTest {

    @Test
    void noDecayGroupHoldsGainsBiasesEmbeddingsPositionalTermsAndLogitScale() {
        ModelConfig c = ModelConfig.load(Path.of("models/tiny.json"));
        try (Clip clip = new Clip(c, Device.cpu(), 0);
             AdamW opt = new AdamW(clip.parameters(), clip.manager(), 0.9, 0.98, 1e-6, 0.2)) {
            List<String> blockDecay = List.of("attn.in_proj_weight", "attn.out_proj.weight", "mlp.c_fc.weight",
                    "mlp.c_proj.weight");
            List<String> blockNoDecay = List.of("ln_1.weight", "ln_1.bias", "attn.in_proj_bias", "attn.out_proj.bias",
                    "ln_2.weight", "ln_2.bias", "mlp.c_fc.bias", "mlp.c_proj.bias");
            List<String> decay = new java.util.ArrayList<>();
            List<String> noDecay = new java.util.ArrayList<>(List.of("token_embedding.weight", "positional_embedding"));
            for (int i = 0; i < c.textLayers(); i++) {
                String p = "transformer.resblocks." + i + ".";
                blockDecay.forEach(s -> decay.add(p + s));
                blockNoDecay.forEach(s -> noDecay.add(p + s));
            }
            noDecay.addAll(List.of("ln_final.weight", "ln_final.bias"));
            decay.add("text_projection");
            decay.add("visual.conv1.weight");
            noDecay.addAll(List.of("visual.class_embedding", "visual.positional_embedding", "visual.ln_pre.weight",
                    "visual.ln_pre.bias"));
            for (int i = 0; i < c.visionLayers(); i++) {
                String p = "visual.transformer.resblocks." + i + ".";
                blockDecay.forEach(s -> decay.add(p + s));
                blockNoDecay.forEach(s -> noDecay.add(p + s));
            }
            noDecay.addAll(List.of("visual.ln_post.weight", "visual.ln_post.bias"));
            decay.add("visual.proj");
            noDecay.add("logit_scale");
            assertEquals(decay, opt.group(true));
            assertEquals(noDecay, opt.group(false));
        }
    }

    @Test
    void updateMatchesTorchAdamWComputedByHand() {
        double lr = 0.01;
        double wd = 0.2;
        double b1 = 0.9;
        double b2 = 0.98;
        double eps = 0.05; // large, so that where ε sits in the formula shows
        double clip = 0.5; // gradients scaled as global-norm clipping does
        float[] w0 = {0.5f, -1.5f};
        double[][] grads = {{0.3, -2.0}, {-0.1, 0.7}, {0.05, 0.0}};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(w0, new Shape(2, 1));
            NDArray bias = m.create(new float[] {w0[0], w0[1]}, new Shape(2));
            w.setRequiresGradient(true);
            bias.setRequiresGradient(true);
            try (AdamW opt = new AdamW(Map.of("w.weight", w, "b.bias", bias), m, b1, b2, eps, wd)) {
                double[] pw = {w0[0], w0[1]};
                double[] pb = {w0[0], w0[1]};
                double[] mw = new double[2];
                double[] vw = new double[2];
                for (int t = 1; t <= grads.length; t++) {
                    NDArray gw = m.create(new float[] {(float) grads[t - 1][0], (float) grads[t - 1][1]});
                    try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                        // d/dw of sum(w·g) is g
                        tape.backward(w.reshape(2).mul(gw).sum().add(bias.mul(gw).sum()));
                    }
                    opt.step(lr, clip);
                    for (int i = 0; i < 2; i++) {
                        double g = clip * grads[t - 1][i];
                        mw[i] = b1 * mw[i] + (1 - b1) * g;
                        vw[i] = b2 * vw[i] + (1 - b2) * g * g;
                        double denom = Math.sqrt(vw[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                        double stepSize = lr / (1 - Math.pow(b1, t));
                        pw[i] = pw[i] * (1 - lr * wd) - stepSize * mw[i] / denom;
                        pb[i] = pb[i] - stepSize * mw[i] / denom;
                    }
                }
                float[] gotW = w.toFloatArray();
                float[] gotB = bias.toFloatArray();
                for (int i = 0; i < 2; i++) {
                    assertEquals(pw[i], gotW[i], 2e-7, "decayed weight " + i);
                    assertEquals(pb[i], gotB[i], 2e-7, "bias (no decay) " + i);
                }
                assertEquals(3, opt.steps());
            }
        }
    }

    /** Gradients of sum(w·g) for two parameters: g = {1, -2, 3, ..} and 10·g; returns the parameters. */
    private static NDArray[] withGradients(NDManager m, int n) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (i % 2 == 0 ? 1 : -1) * (i + 1) * 0.01f;
        }
        NDArray w = m.create(new float[n], new Shape(n, 1));
        NDArray b = m.create(new float[n], new Shape(n));
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        NDArray gw = m.create(g);
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            tape.backward(w.reshape(n).mul(gw).sum().add(b.mul(gw.mul(10)).sum()));
        }
        return new NDArray[] {w, b};
    }

    @Test
    void gradientNormIsTheL2NormOfAllGradientsAndZeroingClearsThem() {
        int n = 37; // the fused kernels' vector loops and their scalar tails
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] p = withGradients(m, n);
            try (AdamW opt = new AdamW(Map.of("w.weight", p[0], "b.bias", p[1]), m, 0.9, 0.98, 1e-6, 0.2)) {
                double sum = 0;
                for (NDArray a : p) {
                    for (float v : a.getGradient().toFloatArray()) {
                        sum += (double) v * v;
                    }
                }
                assertEquals(Math.sqrt(sum), opt.gradientNorm(), 1e-6 * Math.sqrt(sum));
                opt.zeroGradients();
                for (NDArray a : p) {
                    assertEquals(0f, a.getGradient().abs().sum().getFloat(), "gradient of " + a.getShape());
                }
                assertEquals(0, opt.gradientNorm());
            }
        }
    }
}
