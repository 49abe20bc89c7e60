package org.qqt.train;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.qqt.io.BadInputException;
import org.qqt.model.MatmulPrecision;

/**
 * Training precision ({@code --precision}, config key {@code precision}). Master weights, AdamW moments,
 * LayerNorm, softmax, the logit scale and the loss stay fp32 in every mode; fp16 and bf16 run the matrix
 * products (linear maps, attention) in that type (see {@link org.qqt.model.MatmulOps}). fp16 trains with
 * dynamic loss scaling ({@link LossScaler}); bf16 has fp32's exponent range and needs none.
 */
public enum Precision {
    FP32(MatmulPrecision.FP32, 4), FP16(MatmulPrecision.FP16, 2), BF16(MatmulPrecision.BF16, 2);

    private final MatmulPrecision matmul;
    private final int matmulBytes;

    Precision(MatmulPrecision matmul, int matmulBytes) {
        this.matmul = matmul;
        this.matmulBytes = matmulBytes;
    }

    public MatmulPrecision matmul() {
        return matmul;
    }

    /** Bytes per element of a matmul's (or attention's) output kept for the backward pass ({@link MemoryEstimate}). */
    public int matmulBytes() {
        return matmulBytes;
    }

    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** fp32, fp16 or bf16; anything else is bad input naming {@code --precision}. */
    @JsonCreator
    public static Precision parse(String s) {
        for (Precision p : values()) {
            if (p.key().equals(s)) {
                return p;
            }
        }
        throw new BadInputException("--precision " + s + " is not one of fp32, fp16, bf16");
    }

    /** Whether the run needs dynamic loss scaling (fp16's 5-bit exponent underflows small gradients). */
    public boolean scalesLoss() {
        return this == FP16;
    }

    /**
     * Throws a one-line {@link BadInputException} if {@code device} cannot run this precision at a useful speed:
     * bf16 on a GPU needs compute capability 8.0 or higher (Ampere, Hopper), fp16 runs on any CUDA GPU; on a CPU
     * each needs its dot-product instructions in /proc/cpuinfo ({@code avx512_bf16} or {@code amx_bf16};
     * {@code avx512_fp16} or {@code amx_fp16}): without them libtorch emulates the type, more slowly than fp32
     * (measured for fp16 through DJL: 1–2 GFLOP/s, java-stack.md §9).
     */
    public void requireRunnableOn(Device device) {
        if (this == FP32) {
            return;
        }
        if (device.isGpu()) {
            String cc = CudaUtils.getComputeCapability(device.getDeviceId());
            if (this == BF16 && cc != null && Integer.parseInt(cc.replace(".", "")) < 80) {
                throw new BadInputException("--precision bf16 needs a GPU of compute capability 8.0 or higher ("
                        + device + " has " + cc + "); use --precision fp16");
            }
            return;
        }
        requireCpuFlags(cpuFlags());
    }

    /** The CPU half of {@link #requireRunnableOn}, given the flags line(s) of /proc/cpuinfo. */
    void requireCpuFlags(String flags) {
        String family = this == BF16 ? "bf16" : "fp16";
        if (this != FP32 && !(flags.contains(" avx512_" + family) || flags.contains(" amx_" + family))) {
            throw new BadInputException("--precision " + key() + " needs a GPU or a CPU with avx512_" + family
                    + " or amx_" + family + " (not in /proc/cpuinfo); use --precision fp32 on this machine");
        }
    }

    /** /proc/cpuinfo's text ("" where it cannot be read: then only fp32 runs on the CPU). */
    static String cpuFlags() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
