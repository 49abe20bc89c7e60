package org.qqt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.ArrayList;
import java.util.List;

/**
 * The image tower, as open_clip's VisionTransformer: patch embedding (a Conv2d with kernel = stride = patch,
 * no bias), class token, positional embedding, ln_pre, pre-LN blocks, ln_post on the class token, projection
 * without bias. Parameter names are open_clip's ({@code visual.*}).
 */
final class VisionTransformer {
    private final ModelConfig c;
    private final NDArray conv1;
    private final NDArray classEmbedding;
    private final NDArray positionalEmbedding;
    private final NDArray lnPreGain;
    private final NDArray lnPreBias;
    private final List<ResidualBlock> blocks = new ArrayList<>();
    private final NDArray lnPostGain;
    private final NDArray lnPostBias;
    private final NDArray proj;

    VisionTransformer(Params p, ModelConfig c, MatmulOps ops) {
        this.c = c;
        int w = c.visionWidth();
        int patch = c.patchSize();
        double scale = Math.pow(w, -0.5);
        conv1 = p.uniform("visual.conv1.weight", 1 / Math.sqrt(3.0 * patch * patch), w, 3, patch, patch);
        classEmbedding = p.normal("visual.class_embedding", scale, w);
        positionalEmbedding = p.normal("visual.positional_embedding", scale, c.visionTokens(), w);
        lnPreGain = p.constant("visual.ln_pre.weight", 1f, w);
        lnPreBias = p.constant("visual.ln_pre.bias", 0f, w);
        for (int i = 0; i < c.visionLayers(); i++) {
            blocks.add(new ResidualBlock(p, "visual.transformer.resblocks." + i + ".", w, c.visionHeads(),
                    c.mlpRatio(), false, c.visionLayers(), ops));
        }
        lnPostGain = p.constant("visual.ln_post.weight", 1f, w);
        lnPostBias = p.constant("visual.ln_post.bias", 0f, w);
        proj = p.normal("visual.proj", scale, w, c.embedDim());
    }

    /** images: (B, 3, H, W) normalised floats; returns (B, embed_dim), not normalised. */
    NDArray forward(NDArray images) {
        long b = images.getShape().get(0);
        int w = c.visionWidth();
        int patch = c.patchSize();
        NDArray x = Conv2d.conv2d(images, conv1, null, new Shape(patch, patch)).singletonOrThrow(); // (B, w, g, g)
        x = x.reshape(b, w, -1).transpose(0, 2, 1); // (B, g*g, w)
        NDArray cls = images.getManager().zeros(new Shape(b, 1, w)).add(classEmbedding);
        x = NDArrays.concat(new NDList(cls, x), 1).add(positionalEmbedding);
        x = ResidualBlock.layerNorm(x, lnPreGain, lnPreBias);
        for (ResidualBlock block : blocks) {
            x = block.forward(x, null);
        }
        NDArray pooled = ResidualBlock.layerNorm(x.get(":, 0, :"), lnPostGain, lnPostBias);
        return pooled.matMul(proj);
    }
}
