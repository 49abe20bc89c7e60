package org.qqt.model;

/**
 * The precision the model's matrix products (linear layers, attention) run in. FP32 runs them as DJL ops;
 * FP16 and BF16 through {@link TorchScriptOps}, with fp32 arrays on both sides of each op. {@code torchType} is
 * libtorch's ScalarType code, written into the TorchScript source (never a DJL DataType: DJL's NDArray aborts
 * the JVM on bf16, see {@link TorchScriptOps}).
 */
public enum MatmulPrecision {
    FP32(6), FP16(5), BF16(15);

    final int torchType;

    MatmulPrecision(int torchType) {
        this.torchType = torchType;
    }
}
