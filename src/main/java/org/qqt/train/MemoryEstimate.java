package org.qqt.train;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.qqt.io.BadInputException;
import org.qqt.model.ModelConfig;

/**
 * A coarse upper estimate of training memory, checked before anything is allocated: parameters, gradients and
 * two AdamW moments (4 floats per parameter), plus the activations autograd keeps for one batch (per layer and
 * sample about (13 + 2·mlp_ratio)·T·W floats and 2·H·T² for attention, times 1.5 for the backward pass's
 * temporaries), plus the n×n logits.
 */
public record MemoryEstimate(long parameterBytes, long activationBytes, long totalBytes) {

    public static MemoryEstimate of(ModelConfig m, int batch) {
        long params = m.parameterCount() * 4L * 4L;
        double perSample = m.visionLayers() * layer(m.visionTokens(), m.visionWidth(), m.visionHeads(), m.mlpRatio())
                + m.textLayers() * layer(m.contextLength(), m.textWidth(), m.textHeads(), m.mlpRatio())
                + 4.0 * m.visionTokens() * m.visionWidth() + 4.0 * m.contextLength() * m.textWidth();
        long act = (long) (1.5 * 4 * (perSample * batch + 4.0 * batch * (double) batch));
        return new MemoryEstimate(params, act, params + act);
    }

    private static double layer(double t, double w, double h, double r) {
        return (13 + 2 * r) * t * w + 2 * h * t * t;
    }

    /** Fails with the estimate if it exceeds 90% of the memory available on {@code device}. */
    public void check(Device device, ModelConfig m, int batch) {
        long available = available(device);
        if (available > 0 && totalBytes > 0.9 * available) {
            throw new BadInputException(String.format(Locale.ROOT,
                    "model %s with batch %d needs about %.1f GB (weights+grads+AdamW %.1f GB, activations %.1f GB) "
                            + "but %s has %.1f GB available; lower --batch or use a smaller model",
                    m.name(), batch, totalBytes / 1e9, parameterBytes / 1e9, activationBytes / 1e9, device,
                    available / 1e9));
        }
    }

    /** Free bytes on the device (MemAvailable on CPU, free CUDA memory on a GPU); 0 if unknown. */
    static long available(Device device) {
        if (device.isGpu()) {
            var usage = CudaUtils.getGpuMemory(device);
            return usage.getMax() - usage.getUsed();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
