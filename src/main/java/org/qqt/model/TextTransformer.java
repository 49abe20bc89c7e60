package org.qqt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.ArrayList;
import java.util.List;

/**
 * The text tower, as open_clip's text transformer: token + positional embedding, pre-LN blocks under a causal
 * mask, ln_final, the features at the EOT position, text_projection (no bias). Initialised as open_clip's
 * {@code CLIP.init_parameters}: token embedding N(0, 0.02), positional N(0, 0.01), scaled block init.
 */
final class TextTransformer {
    private final ModelConfig c;
    private final NDArray tokenEmbedding;
    private final NDArray positionalEmbedding;
    private final List<ResidualBlock> blocks = new ArrayList<>();
    private final NDArray lnFinalGain;
    private final NDArray lnFinalBias;
    private final NDArray textProjection;
    /** The (context_length, context_length) causal mask: a constant, built once in the model's manager. */
    private final NDArray mask;

    TextTransformer(Params p, ModelConfig c, MatmulOps ops) {
        this.c = c;
        int w = c.textWidth();
        tokenEmbedding = p.normal("token_embedding.weight", 0.02, c.vocabSize(), w);
        positionalEmbedding = p.normal("positional_embedding", 0.01, c.contextLength(), w);
        for (int i = 0; i < c.textLayers(); i++) {
            blocks.add(new ResidualBlock(p, "transformer.resblocks." + i + ".", w, c.textHeads(), c.mlpRatio(),
                    true, c.textLayers(), ops));
        }
        lnFinalGain = p.constant("ln_final.weight", 1f, w);
        lnFinalBias = p.constant("ln_final.bias", 0f, w);
        textProjection = p.normal("text_projection", Math.pow(w, -0.5), w, c.embedDim());
        mask = causalMask(p.manager(), c.contextLength());
    }

    /**
     * tokens: (B, context_length) int64 ids; eotOneHot: (B, context_length) floats, 1 at each row's EOT position.
     * Returns (B, embed_dim), not normalised.
     */
    NDArray forward(NDArray tokens, NDArray eotOneHot) {
        NDArray x = Embedding.embedding(tokens, tokenEmbedding, SparseFormat.DENSE).singletonOrThrow()
                .add(positionalEmbedding);
        for (ResidualBlock block : blocks) {
            x = block.forward(x, mask);
        }
        x = ResidualBlock.layerNorm(x, lnFinalGain, lnFinalBias);
        NDArray pooled = x.mul(eotOneHot.expandDims(2)).sum(new int[] {1}); // (B, w)
        return pooled.matMul(textProjection);
    }

    /** Additive mask: 0 on and below the diagonal, −∞ above (a token sees itself and earlier tokens). */
    static NDArray causalMask(NDManager m, int t) {
        float[] v = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                v[i * t + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return m.create(v, new Shape(t, t));
    }
}
