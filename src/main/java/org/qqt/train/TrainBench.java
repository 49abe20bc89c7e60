package org.qqt.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.qqt.data.Batch;
import org.qqt.model.Clip;
import org.qqt.model.MatmulOps;
import org.qqt.model.MatmulPrecision;
import org.qqt.model.ModelConfig;

/**
 * Training speed against the machine's own matmul speed, measured in the same process: the fraction of the
 * matmul-bound limit a model reaches is (its FLOPs per step × steps/s) / (GFLOP/s of a 1024³ matmul).
 * Also the resident memory at chosen steps, to show that the native heap does not grow.
 */
public final class TrainBench {
    private TrainBench() {}

    /** Best of {@code reps} timings of an n×n by n×n float32 matmul, in GFLOP/s. */
    public static double matmulGflops(Device device, int n, int reps) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            Random r = new Random(0);
            float[] v = new float[n * n];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            NDArray a = m.create(v, new Shape(n, n));
            NDArray b = m.create(v, new Shape(n, n));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < reps + 2; i++) {
                long t0 = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0); // wait for the result
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (i >= 2) {
                    best = Math.min(best, s);
                }
            }
            return 2.0 * n * n * n / best / 1e9;
        }
    }

    /**
     * One model's measurement. {@code secondsPerStep} is the mean of the timed steps; {@code bestSecondsPerStep} the
     * fastest one, the counterpart of the matmul ceiling (itself a best of many): on a shared machine the mean
     * includes every step another process slowed down. {@code phaseMs}: median milliseconds of each phase
     * ({@link StepPhases#NAMES}; CPU only).
     */
    public record Result(String model, long parameters, int batch, int steps, double secondsPerStep,
            double samplesPerSecond, double gflopPerStep, double achievedGflops, double bestSecondsPerStep,
            double bestAchievedGflops, Map<String, Double> phaseMs, Map<Long, Map<String, Long>> memoryMbAtStep) {}

    /**
     * The routes {@code qqt bench train --precisions} compares: {@code fp32} (DJL ops, the default path);
     * {@code fp32-ts} (fp32 linear maps through the TorchScript ops: their per-call overhead); {@code fp32-sdpa}
     * (that plus the fused fp32 attention instead of the hand-written one); {@code fp32-attn} (fp32 DJL linear maps
     * and only the attention fused, through TorchScript); {@code bf16} and {@code fp16} (the
     * training precisions as {@code qqt train} runs them on this device; fp16 with loss scaling);
     * {@code bf16-sdpa} and {@code fp16-sdpa} (with the fused low-precision attention, the GPU route, on any
     * device).
     */
    public static final List<String> ROUTES = List.of("fp32", "fp32-ts", "fp32-sdpa", "fp32-attn", "bf16", "bf16-sdpa",
            "fp16", "fp16-sdpa");

    /** {@link #run} of the fp32 path. */
    public static Result run(ModelConfig config, int batch, int warmup, int steps, long[] rssSteps, Device device) {
        return run(config, batch, warmup, steps, rssSteps, device, "fp32");
    }

    /**
     * Times {@code steps} training steps after {@code warmup} untimed ones (the trainer's own step on random
     * batches made beforehand), then keeps stepping to the largest of {@code rssSteps}, recording VmRSS at each.
     * {@code route}: one of {@link #ROUTES}.
     */
    public static Result run(ModelConfig config, int batch, int warmup, int steps, long[] rssSteps, Device device,
            String route) {
        return run(config, batch, 0, warmup, steps, rssSteps, device, route);
    }

    /** {@link #run} with exact accumulation over micro-batches of {@code microBatch} (0: the whole batch). */
    public static Result run(ModelConfig config, int batch, int microBatch, int warmup, int steps, long[] rssSteps,
            Device device, String route) {
        MatmulOps ops = switch (route) {
            case "fp32" -> MatmulOps.fp32();
            case "fp32-ts" -> MatmulOps.torchScript(MatmulPrecision.FP32, device, false);
            case "fp32-sdpa" -> MatmulOps.torchScript(MatmulPrecision.FP32, device, true);
            case "fp32-attn" -> MatmulOps.fp32FusedAttention(device);
            case "bf16", "fp16" -> MatmulOps.of(Precision.parse(route).matmul(), device);
            default -> MatmulOps.torchScript(Precision.parse(route.substring(0, 4)).matmul(), device, true);
        };
        LossScaler scaler = LossScaler.forPrecision(route.startsWith("fp16") ? Precision.FP16 : Precision.FP32);
        TrainConfig tc = TrainConfig.defaults(config, (long) batch * (warmup + steps), batch, 1e-3, 0)
                .withMicroBatch(microBatch);
        tc.validate();
        long last = Math.max(warmup + steps, Arrays.stream(rssSteps).max().orElse(0));
        Map<Long, Map<String, Long>> rss = new LinkedHashMap<>();
        double seconds;
        double best = Double.MAX_VALUE;
        StepPhases phases = new StepPhases(steps);
        try (Clip model = new Clip(config, device, 0, ops);
             AdamW opt = new AdamW(model.parameters(), model.manager(), 0.9, 0.98, 1e-6, 0.2);
             RandomBatchSource src = new RandomBatchSource(0, batch, config.imageSize(), config.contextLength(),
                     config.vocabSize(), 1_000_000)) {
            // a few batches made up front and cycled: the timing is the training step, not data generation
            Batch[] batches = new Batch[4];
            for (int i = 0; i < batches.length; i++) {
                batches[i] = src.next();
            }
            long t0 = 0;
            seconds = 0;
            for (long step = 1; step <= last; step++) {
                if (step == warmup + 1) {
                    t0 = System.nanoTime();
                }
                Batch b = batches[(int) (step % batches.length)];
                boolean timed = step > warmup && step <= warmup + steps;
                long s0 = System.nanoTime();
                TrainStep.run(model, opt, tc, b, 1e-4, timed ? phases : StepPhases.NONE, true, scaler);
                if (timed) {
                    best = Math.min(best, (System.nanoTime() - s0) / 1e9);
                }
                if (step == warmup + steps) {
                    seconds = (System.nanoTime() - t0) / 1e9;
                }
                for (long s : rssSteps) {
                    if (s == step) {
                        rss.put(step, memoryMb());
                    }
                }
            }
        }
        double perStep = seconds / steps;
        double flops = config.trainFlopsPerStep(batch);
        return new Result(config.name(), config.parameterCount(), batch, steps, perStep, batch / perStep, flops / 1e9,
                flops / perStep / 1e9, best, flops / best / 1e9, phases.medianMs(), rss);
    }

    /**
     * Memory in MB: {@code rss} (VmRSS), {@code heap_committed} and {@code heap_used} (Java heap, not forced to
     * collect), {@code direct} (NIO direct buffers still waiting for the GC). RSS growth that the heap and direct
     * figures account for is Java garbage, not a native leak.
     */
    public static Map<String, Long> memoryMb() {
        Runtime r = Runtime.getRuntime();
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rss", org.qqt.io.MachineStats.rssMiB());
        m.put("heap_committed", r.totalMemory() >> 20);
        m.put("heap_used", (r.totalMemory() - r.freeMemory()) >> 20);
        long direct = -1;
        for (var pool : java.lang.management.ManagementFactory.getPlatformMXBeans(
                java.lang.management.BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed() >> 20;
            }
        }
        m.put("direct", direct);
        return m;
    }


}
