package org.qqt.train;

/**
 * The arithmetic of a run's matmuls and attention ({@code --precision}, config key {@code precision}). Master
 * weights, AdamW moments, LayerNorm, softmax, the logit scale and the loss stay fp32 in every mode; fp16 and bf16
 * store the outputs of matmuls in 2 bytes, which {@link MemoryEstimate} counts.
 */
public enum Precision {
    fp32(4), fp16(2), bf16(2);

    private final int matmulBytes;

    Precision(int matmulBytes) {
        this.matmulBytes = matmulBytes;
    }

    /** Bytes per element of a matmul's (or attention's) output kept for the backward pass. */
    public int matmulBytes() {
        return matmulBytes;
    }
}
