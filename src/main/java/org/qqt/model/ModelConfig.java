package org.qqt.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

/**
 * The shape of a CLIP model, as in open_clip's model_configs but flat: an image ViT and a causal text
 * transformer projected to a shared {@code embed_dim}. Loaded from {@code models/*.json}; unknown keys are errors.
 */
public record ModelConfig(
        @JsonProperty("name") String name,
        @JsonProperty("embed_dim") int embedDim,
        @JsonProperty("image_size") int imageSize,
        @JsonProperty("patch_size") int patchSize,
        @JsonProperty("vision_width") int visionWidth,
        @JsonProperty("vision_layers") int visionLayers,
        @JsonProperty("vision_heads") int visionHeads,
        @JsonProperty("context_length") int contextLength,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("text_width") int textWidth,
        @JsonProperty("text_heads") int textHeads,
        @JsonProperty("text_layers") int textLayers,
        @JsonProperty("mlp_ratio") int mlpRatio) {

    /** Reads and validates a config file; every problem is a one-line {@link BadInputException} naming the file. */
    public static ModelConfig load(Path file) {
        // keys first: with a record, Jackson reports a typo as a missing value instead of an unknown key
        var tree = Json.readTree(file);
        java.util.Set<String> known = new java.util.LinkedHashSet<>();
        for (var rc : ModelConfig.class.getRecordComponents()) {
            known.add(rc.getAccessor().getAnnotation(JsonProperty.class).value());
        }
        if (!tree.isObject()) {
            throw BadInputException.inFile(file, "expected a JSON object of model dimensions");
        }
        for (var it = tree.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw BadInputException.inFile(file, "unknown key \"" + key + "\" (known: " + known + ")");
            }
        }
        for (String key : known) {
            if (!tree.has(key)) {
                throw BadInputException.inFile(file, "missing key \"" + key + "\"");
            }
        }
        ModelConfig c = Json.read(file, ModelConfig.class);
        String problem = c.problem();
        if (problem != null) {
            throw BadInputException.inFile(file, problem);
        }
        return c;
    }

    /** Null if the config is consistent, else what is wrong. */
    public String problem() {
        if (name == null || name.isBlank()) {
            return "missing \"name\"";
        }
        int[] positive = {embedDim, imageSize, patchSize, visionWidth, visionLayers, visionHeads, contextLength,
                vocabSize, textWidth, textHeads, textLayers, mlpRatio};
        for (int v : positive) {
            if (v <= 0) {
                return "every size must be > 0 (a key is missing or zero)";
            }
        }
        if (imageSize % patchSize != 0) {
            return "image_size " + imageSize + " is not a multiple of patch_size " + patchSize;
        }
        if (visionWidth % visionHeads != 0) {
            return "vision_width " + visionWidth + " is not a multiple of vision_heads " + visionHeads;
        }
        if (textWidth % textHeads != 0) {
            return "text_width " + textWidth + " is not a multiple of text_heads " + textHeads;
        }
        if (contextLength < 2) {
            return "context_length must be ≥ 2 (SOT and EOT)";
        }
        return null;
    }

    /** The same model with another token vocabulary (the tokenizer decides the rows of the token embedding). */
    public ModelConfig withVocabSize(int vocab) {
        return new ModelConfig(name, embedDim, imageSize, patchSize, visionWidth, visionLayers, visionHeads,
                contextLength, vocab, textWidth, textHeads, textLayers, mlpRatio);
    }

    /** Image tokens: the patches plus the class token. */
    public int visionTokens() {
        int g = imageSize / patchSize;
        return g * g + 1;
    }

    /** Number of trainable scalars, counted from the shapes (equals the sum over {@link Clip#parameters()}). */
    public long parameterCount() {
        long vw = visionWidth;
        long tw = textWidth;
        long vision = 3L * patchSize * patchSize * vw + vw + visionTokens() * vw + 2 * vw
                + visionLayers * blockParams(vw) + 2 * vw + vw * embedDim;
        long text = (long) vocabSize * tw + (long) contextLength * tw + textLayers * blockParams(tw) + 2 * tw
                + tw * embedDim;
        return vision + text + 1;
    }

    private long blockParams(long w) {
        long hidden = w * mlpRatio;
        return 2 * w + (3 * w * w + 3 * w) + (w * w + w) + 2 * w + (w * hidden + hidden) + (hidden * w + w);
    }

    /**
     * Matmul FLOPs of one forward pass for one sample (2 per multiply-add): patch embedding, attention and MLP
     * projections, attention scores and mixing, output projections. The n×n logits are added per batch by
     * {@link #trainFlopsPerStep}. Element-wise work (LayerNorm, GELU, softmax) is not counted.
     */
    public double forwardFlopsPerSample() {
        double vision = 2.0 * (visionTokens() - 1) * 3 * patchSize * patchSize * visionWidth
                + visionLayers * blockFlops(visionTokens(), visionWidth)
                + 2.0 * visionWidth * embedDim;
        double text = textLayers * blockFlops(contextLength, textWidth) + 2.0 * textWidth * embedDim;
        return vision + text;
    }

    private double blockFlops(double t, double w) {
        double proj = 2 * t * w * (3 * w) + 2 * t * w * w + 2 * 2 * t * w * (w * mlpRatio);
        double attn = 2 * 2 * t * t * w;
        return proj + attn;
    }

    /**
     * FLOPs of one training step for a batch of n: forward plus backward, with backward counted as twice the
     * forward (gradients for inputs and weights), except the patch embedding, whose input (the image) needs no
     * gradient; plus the n×n logits and their gradient.
     */
    public double trainFlopsPerStep(int n) {
        double patch = 2.0 * (visionTokens() - 1) * 3 * patchSize * patchSize * visionWidth;
        double perSample = 3 * forwardFlopsPerSample() - patch;
        return n * perSample + 3 * 2.0 * n * n * embedDim;
    }
}
