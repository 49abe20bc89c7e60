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
    FP32(MatmulPrecision.FP32), FP16(MatmulPrecision.FP16), BF16(MatmulPrecision.BF16);

    private final MatmulPrecision matmul;

    Precision(MatmulPrecision matmul) {
        this.matmul = matmul;
    }

    public MatmulPrecision matmul() {
        return matmul;
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
     * <ul>
     *   <li>bf16 on a GPU needs compute capability 8.0 or higher (Ampere, Hopper); on a CPU the bf16 dot-product
     *       instructions ({@code avx512_bf16} or {@code amx_bf16} in /proc/cpuinfo): without them libtorch
     *       emulates bf16 more slowly than fp32;
     *   <li>fp16 runs on any CUDA GPU; on a CPU it is refused: libtorch 2.5.1's CPU fp16 matmul measured 10–60×
     *       slower than fp32 on this project's machine (docs/training.md, "Mixed precision"), so a CPU fp16 run
     *       would only waste the budget (tests still exercise the fp16 path on the CPU through the library).
     * </ul>
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
        if (this == FP16) {
            throw new BadInputException("--precision fp16 is GPU-only (CPU fp16 matmuls are many times slower than "
                    + "fp32); on the CPU use --precision bf16 (needs avx512_bf16) or fp32");
        }
        if (!cpuHasBf16()) {
            throw new BadInputException("--precision bf16 needs a CPU with avx512_bf16 or amx_bf16 (none in "
                    + "/proc/cpuinfo); use --precision fp32 on this machine");
        }
    }

    /** True if /proc/cpuinfo lists a bf16 dot-product instruction set (false where it cannot be read). */
    static boolean cpuHasBf16() {
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo"));
            return info.contains(" avx512_bf16") || info.contains(" amx_bf16");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
