package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.qqt.io.BadInputException;
import org.qqt.model.ModelConfig;
import org.qqt.sweep.SweepConfig;

class MemoryEstimateTest {
    static final long H100 = 80_000_000_000L;

    /** The plan of the runs a sweep config launches (its model, batch, micro_batch and precision). */
    static MemoryEstimate planOf(String config) {
        SweepConfig c = SweepConfig.load(Path.of(config));
        ModelConfig m = ModelConfig.load(Path.of(c.model()));
        return MemoryEstimate.of(m, c.batch(), c.microBatchOrDefault() == 0 ? c.batch() : c.microBatchOrDefault(),
                Precision.parse(c.precisionOrDefault()), 0);
    }

    @Test
    void theGpuFigure5ConfigsFitOne80GbH100WithTenPercentHeadroom() {
        for (String config : new String[] {"configs/figure5-datacomp-medium.yaml", "configs/figure5-synth-gpu.yaml"}) {
            MemoryEstimate e = planOf(config);
            assertTrue(e.totalBytes() <= 0.9 * H100, config + ": " + e);
            assertTrue(e.fits(H100), config);
        }
        assertEquals(4096, planOf("configs/figure5-datacomp-medium.yaml").batch());
        assertTrue(planOf("configs/figure5-datacomp-medium.yaml").microBatch() < 4096);
    }

    @Test
    void theHostBatchIsUint8PixelsAndIntTokens() {
        ModelConfig b32 = ModelConfig.load(Path.of("models/vit-b-32.json"));
        MemoryEstimate e = MemoryEstimate.of(b32, 4096, 256, Precision.BF16, 0);
        // 4096 x 3 x 224 x 224 bytes + 4096 x 77 ints: the 2.47 GB float batch is gone
        assertEquals(4096L * 3 * 224 * 224 + 4L * 4096 * 77, e.hostBatchBytes());
        org.qqt.data.Batch b = org.qqt.data.Batch.ofPixels(2, 224, 77, new byte[2 * 3 * 224 * 224], new int[2 * 77]);
        assertEquals(MemoryEstimate.of(b32, 2, 2, Precision.FP32, 0).hostBatchBytes(), b.hostBytes());
    }

    @Test
    void aMicroBatchDividesTheActivationsAndLowPrecisionShrinksThem() {
        ModelConfig b32 = ModelConfig.load(Path.of("models/vit-b-32.json"));
        MemoryEstimate whole = MemoryEstimate.of(b32, 4096, 4096, Precision.FP32, 0);
        MemoryEstimate micro = MemoryEstimate.of(b32, 4096, 256, Precision.FP32, 0);
        MemoryEstimate bf16 = MemoryEstimate.of(b32, 4096, 256, Precision.BF16, 0);
        assertEquals(whole.activationBytes() / 16.0, micro.activationBytes(), whole.activationBytes() * 1e-9);
        assertTrue(whole.totalBytes() > 0.9 * H100, "batch 4096 in one pass does not fit: " + whole);
        assertTrue(micro.featureBytes() > 0 && whole.featureBytes() == 0);
        assertTrue(bf16.activationBytes() < micro.activationBytes() && bf16.activationBytes() > micro.activationBytes() / 2);
        assertTrue(bf16.parameterBytes() > micro.parameterBytes(), "fp32 master weights plus a low-precision copy");
        assertTrue(MemoryEstimate.of(b32, 4096, 256, Precision.FP32, 512).lossBytes() < micro.lossBytes());
    }

    @Test
    void aPlanOverTheDevicesMemoryIsOneLineOfBadInput() {
        ModelConfig b32 = ModelConfig.load(Path.of("models/vit-b-32.json"));
        BadInputException e = assertThrows(BadInputException.class,
                () -> MemoryEstimate.of(b32, 4096, 4096, Precision.FP32, 0).check(H100, "--device-memory is"));
        assertTrue(e.getMessage().contains("--micro-batch") && !e.getMessage().contains("\n"), e.getMessage());
        MemoryEstimate.of(b32, 4096, 256, Precision.BF16, 0).check(H100, "--device-memory is");
    }
}
