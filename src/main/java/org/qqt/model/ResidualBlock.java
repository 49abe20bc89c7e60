package org.qqt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;

/**
 * One pre-LN transformer block, as open_clip's ResidualAttentionBlock:
 * x + attn(ln_1(x)), then x + mlp(ln_2(x)) with mlp = c_proj(GELU(c_fc(·))).
 * Attention is multi-head self-attention with one fused Q/K/V projection ({@code in_proj_weight}, as
 * PyTorch's nn.MultiheadAttention) and an optional additive mask (the text tower's causal mask).
 * Linear maps and the attention core run through {@link MatmulOps} (fp32 DJL ops or low-precision TorchScript
 * ops); LayerNorm, GELU and the residual sums stay fp32 DJL ops.
 */
final class ResidualBlock {
    static final float LN_EPS = 1e-5f;

    private final int width;
    private final int heads;
    private final MatmulOps ops;
    private final NDArray ln1Gain;
    private final NDArray ln1Bias;
    private final NDArray inProjWeight;
    private final NDArray inProjBias;
    private final NDArray outProjWeight;
    private final NDArray outProjBias;
    private final NDArray ln2Gain;
    private final NDArray ln2Bias;
    private final NDArray fcWeight;
    private final NDArray fcBias;
    private final NDArray projWeight;
    private final NDArray projBias;

    /**
     * @param scaledInit open_clip's TextTransformer init (normal with std width^-0.5, (2·width)^-0.5 and
     *     width^-0.5·(2·layers)^-0.5 for the residual projections); false gives PyTorch's module defaults, which
     *     open_clip's VisionTransformer keeps.
     */
    ResidualBlock(Params p, String prefix, int width, int heads, int mlpRatio, boolean scaledInit, int layers,
            MatmulOps ops) {
        this.ops = ops;
        this.width = width;
        this.heads = heads;
        int hidden = width * mlpRatio;
        double attnStd = Math.pow(width, -0.5);
        double projStd = attnStd * Math.pow(2.0 * layers, -0.5);
        double fcStd = Math.pow(2.0 * width, -0.5);
        ln1Gain = p.constant(prefix + "ln_1.weight", 1f, width);
        ln1Bias = p.constant(prefix + "ln_1.bias", 0f, width);
        inProjWeight = scaledInit ? p.normal(prefix + "attn.in_proj_weight", attnStd, 3L * width, width)
                : p.uniform(prefix + "attn.in_proj_weight", Math.sqrt(6.0 / (4.0 * width)), 3L * width, width);
        inProjBias = p.constant(prefix + "attn.in_proj_bias", 0f, 3L * width);
        outProjWeight = scaledInit ? p.normal(prefix + "attn.out_proj.weight", projStd, width, width)
                : p.uniform(prefix + "attn.out_proj.weight", 1 / Math.sqrt(width), width, width);
        outProjBias = p.constant(prefix + "attn.out_proj.bias", 0f, width);
        ln2Gain = p.constant(prefix + "ln_2.weight", 1f, width);
        ln2Bias = p.constant(prefix + "ln_2.bias", 0f, width);
        fcWeight = scaledInit ? p.normal(prefix + "mlp.c_fc.weight", fcStd, hidden, width)
                : p.uniform(prefix + "mlp.c_fc.weight", 1 / Math.sqrt(width), hidden, width);
        fcBias = p.uniform(prefix + "mlp.c_fc.bias", 1 / Math.sqrt(width), hidden);
        projWeight = scaledInit ? p.normal(prefix + "mlp.c_proj.weight", projStd, width, hidden)
                : p.uniform(prefix + "mlp.c_proj.weight", 1 / Math.sqrt(hidden), width, hidden);
        projBias = p.uniform(prefix + "mlp.c_proj.bias", 1 / Math.sqrt(hidden), width);
    }

    /** x: (B, T, width); mask: additive (T, T) or null. */
    NDArray forward(NDArray x, NDArray mask) {
        x = x.add(attention(layerNorm(x, ln1Gain, ln1Bias), mask));
        NDArray h = ops.linear(layerNorm(x, ln2Gain, ln2Bias), fcWeight, fcBias);
        h = Activation.gelu(h);
        return x.add(ops.linear(h, projWeight, projBias));
    }

    private NDArray attention(NDArray x, NDArray mask) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int hd = width / heads;
        NDArray qkv = ops.linear(x, inProjWeight, inProjBias)
                .reshape(b, t, 3, heads, hd)
                .transpose(2, 0, 3, 1, 4); // (3, B, H, T, hd)
        NDList parts = qkv.split(3, 0);
        NDArray mixed = ops.attention(parts.get(0).squeeze(0), parts.get(1).squeeze(0), parts.get(2).squeeze(0),
                        mask) // (B, H, T, hd)
                .transpose(0, 2, 1, 3)
                .reshape(b, t, width);
        return ops.linear(mixed, outProjWeight, outProjBias);
    }

    /** The block's weights in the order of the whole-block TorchScript module ({@code torchscript/block.py}). */
    NDArray[] weights() {
        return new NDArray[] {ln1Gain, ln1Bias, inProjWeight, inProjBias, outProjWeight, outProjBias, ln2Gain, ln2Bias,
            fcWeight, fcBias, projWeight, projBias};
    }

    /** LayerNorm over the last axis (DJL's default would normalise over every non-batch axis). */
    static NDArray layerNorm(NDArray x, NDArray gain, NDArray bias) {
        Shape last = new Shape(x.getShape().get(x.getShape().dimension() - 1));
        return LayerNorm.layerNorm(x, last, gain, bias, LN_EPS).singletonOrThrow();
    }
}
