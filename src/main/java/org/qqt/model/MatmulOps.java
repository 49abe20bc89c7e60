package org.qqt.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;

/**
 * The matrix products of a transformer block: linear maps and the attention core. Inputs and outputs are fp32
 * arrays; the implementation decides the precision inside. Owned by the model that uses it.
 */
public interface MatmulOps extends AutoCloseable {
    /** x·wᵀ + b over the last axis of x; w: (out, in), b: (out). */
    NDArray linear(NDArray x, NDArray w, NDArray b);

    /**
     * softmax(q·kᵀ/√hd + mask)·v for q, k, v of shape (B, H, T, hd); {@code causal}: a token sees itself and the
     * tokens before it; {@code mask} is that causal mask as an additive (T, T) array (null when not causal), for
     * implementations that add it by hand.
     */
    NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask);

    @Override
    void close();

    /** fp32 DJL ops (the reference path, bitwise the model as it was before low precision existed). */
    static MatmulOps fp32() {
        return new DjlOps();
    }

    /**
     * TorchScript ops in {@code precision}, loaded on {@code device}: libtorch's {@code linear}, and for attention
     * the fused {@code scaled_dot_product_attention} in {@code precision} ({@code fusedAttention}) or the
     * hand-written fp32 attention of {@link #fp32()}.
     */
    static MatmulOps torchScript(MatmulPrecision precision, Device device, boolean fusedAttention) {
        return new TorchScriptOps(precision, device, fusedAttention);
    }

    /**
     * fp32 DJL linear maps with libtorch's fused fp32 {@code scaled_dot_product_attention} (through TorchScript) in
     * place of the hand-written attention: {@code qqt bench train --precisions fp32-attn}.
     */
    static MatmulOps fp32FusedAttention(Device device) {
        return new TorchScriptOps(MatmulPrecision.FP32, device, true, true);
    }

    /**
     * The ops a model in {@code precision} trains with: DJL for fp32; for fp16 and bf16 TorchScript linear maps,
     * and the fused low-precision attention on a GPU only. Chosen by measurement (docs/training.md, "Mixed
     * precision"): on the CPU, libtorch 2.5.1's fused bf16 attention made the backward pass 1.5–2.8× slower
     * than with the fp32 hand-written one, more than the bf16 linear maps gain, while on CUDA the fused flash /
     * memory-efficient kernels are the fast path.
     */
    static MatmulOps of(MatmulPrecision precision, Device device) {
        return precision == MatmulPrecision.FP32 ? fp32() : torchScript(precision, device, device.isGpu());
    }
}
