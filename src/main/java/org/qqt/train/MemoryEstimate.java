package org.qqt.train;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.BadInputException;
import org.qqt.model.ModelConfig;

/**
 * The memory plan of a run ({@code qqt train --plan}): a coarse upper estimate of the device memory training
 * needs, made from the config alone before the loader opens or a tensor is allocated. Parts, in bytes:
 * <ul>
 *   <li>{@code parameter_bytes}: fp32 weights, gradients and two AdamW moments (16 bytes per parameter), plus a
 *       2-byte copy of the weights in fp16/bf16 (master weights stay fp32);
 *   <li>{@code activation_bytes}: what autograd keeps for one forward pass of {@code micro_batch} samples, times
 *       1.5 for the backward pass's temporaries. Per layer and sample: matmul and attention outputs,
 *       ((6 + r)·T·W + H·T²) elements at the precision's width, and the rest (LayerNorm, GELU, softmax,
 *       residuals), ((7 + r)·T·W + H·T²) elements in fp32; plus the input pixels and the patch/token embeddings;
 *   <li>{@code feature_bytes}: the feature cache of {@link TrainStep} (n×d image and text features, their
 *       normalised copies and gradients, fp32), only with a micro-batch;
 *   <li>{@code loss_bytes}: the logits of the loss, n×n (or loss_block×n with the blockwise loss), four fp32
 *       arrays of that size alive at once, times 1.5;
 *   <li>{@code runtime_bytes}: a fixed 1 GB for the CUDA context and allocator slack (on the CPU: the JVM and
 *       libtorch).
 * </ul>
 * {@code host_batch_bytes} (not in the total) is the batch the loader hands over on the host: uint8 pixels
 * (normalised on the device, one micro-batch at a time) and int token ids of the global batch ({@code --data
 * random}'s synthetic float images take 4 bytes per value instead).
 */
public record MemoryEstimate(String model, int batch, int microBatch, Precision precision, long parameterBytes,
        long activationBytes, long featureBytes, long lossBytes, long runtimeBytes, long totalBytes,
        long hostBatchBytes) {

    static final long RUNTIME_BYTES = 1_000_000_000L;
    /** The share of device memory a plan may use: the rest is headroom. */
    public static final double USABLE = 0.9;

    public static MemoryEstimate of(TrainConfig c) {
        return of(c.model(), c.batch(), c.microBatchOrBatch(), c.precision(), c.lossBlock());
    }

    public static MemoryEstimate of(ModelConfig m, int batch, int microBatch, Precision p, int lossBlock) {
        long params = m.parameterCount() * (16L + (p == Precision.FP32 ? 0 : p.matmulBytes()));
        int b = p.matmulBytes();
        double perSample = m.visionLayers() * layer(m.visionTokens(), m.visionWidth(), m.visionHeads(), m.mlpRatio(), b)
                + m.textLayers() * layer(m.contextLength(), m.textWidth(), m.textHeads(), m.mlpRatio(), b)
                + 4.0 * (3.0 * m.imageSize() * m.imageSize() + 4.0 * m.visionTokens() * m.visionWidth()
                        + 4.0 * m.contextLength() * m.textWidth());
        long act = (long) (1.5 * perSample * microBatch);
        long features = microBatch < batch ? 6L * 4L * 2L * batch * m.embedDim() : 0;
        int rows = lossBlock > 0 ? Math.min(lossBlock, batch) : batch;
        long loss = (long) (1.5 * 4 * 4 * (double) rows * batch);
        long host = (long) batch * 3L * m.imageSize() * m.imageSize() + 4L * batch * m.contextLength();
        long total = params + act + features + loss + RUNTIME_BYTES;
        return new MemoryEstimate(m.name(), batch, microBatch, p, params, act, features, loss, RUNTIME_BYTES, total,
                host);
    }

    /** Bytes of one transformer layer's saved activations for one sample of T tokens of width W. */
    private static double layer(double t, double w, double h, double r, int matmulBytes) {
        return matmulBytes * ((6 + r) * t * w + h * t * t) + 4 * ((7 + r) * t * w + h * t * t);
    }

    /** Whether the plan fits {@code deviceBytes} with {@link #USABLE} of it. */
    public boolean fits(long deviceBytes) {
        return totalBytes <= USABLE * deviceBytes;
    }

    /**
     * Fails with a one-line {@link BadInputException} if the plan exceeds {@link #USABLE} of {@code deviceBytes}
     * ({@code where} names the memory, e.g. "cpu() has"); does nothing when deviceBytes is 0 (unknown).
     */
    public void check(long deviceBytes, String where) {
        if (deviceBytes > 0 && !fits(deviceBytes)) {
            throw new BadInputException(String.format(Locale.ROOT,
                    "model %s with batch %d, micro-batch %d and %s needs about %.1f GB (weights+grads+AdamW %.1f GB, "
                            + "activations %.1f GB, features %.1f GB, logits %.1f GB) but %s %.1f GB (%.0f%% usable); "
                            + "set a smaller --micro-batch (it must divide --batch) or use --precision bf16",
                    model, batch, microBatch, precision.key(), totalBytes / 1e9, parameterBytes / 1e9,
                    activationBytes / 1e9, featureBytes / 1e9, lossBytes / 1e9, where, deviceBytes / 1e9, USABLE * 100));
        }
    }

    /** {@link #check} against the memory available on {@code device}. */
    public void check(Device device) {
        check(available(device), device + " has");
    }

    /** The plan as a JSON-ready map ({@code qqt train --plan --format json}). */
    public Map<String, Object> toMap(long deviceBytes) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        out.put("batch", batch);
        out.put("micro_batch", microBatch);
        out.put("precision", precision.key());
        out.put("parameter_bytes", parameterBytes);
        out.put("activation_bytes", activationBytes);
        out.put("feature_bytes", featureBytes);
        out.put("loss_bytes", lossBytes);
        out.put("runtime_bytes", runtimeBytes);
        out.put("total_bytes", totalBytes);
        out.put("host_batch_bytes", hostBatchBytes);
        out.put("device_memory_bytes", deviceBytes);
        out.put("usable_bytes", (long) (USABLE * deviceBytes));
        out.put("fits", deviceBytes <= 0 || fits(deviceBytes));
        return out;
    }

    /** Free bytes on the device (MemAvailable on CPU, free CUDA memory on a GPU); 0 if unknown. */
    public static long available(Device device) {
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
