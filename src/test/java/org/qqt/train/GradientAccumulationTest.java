package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.data.Batch;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.model.Clip;

/** Exact contrastive gradient accumulation (--micro-batch, {@link TrainStep}) against the whole batch. */
class GradientAccumulationTest {
    final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

    /** Loss (key "") and every parameter's gradient after one backward pass of {@code batch} under {@code c}. */
    static Map<String, float[]> gradients(TrainConfig c, Batch batch) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (Clip model = new Clip(c.model(), Device.cpu(), 3); NDManager tmp = model.manager().newSubManager()) {
            NDArray[] lossAndScale = TrainStep.backward(model, c, batch, tmp, StepPhases.NONE, 1f);
            out.put("", new float[] {lossAndScale[0].getFloat()});
            model.parameters().forEach((name, p) -> {
                try (NDArray g = p.getGradient()) {
                    out.put(name, g.toFloatArray());
                }
            });
        }
        return out;
    }

    /** The largest over tensors of max|a − b| / max|a|: the relative error of each gradient as a whole. */
    static double maxRelativeDifference(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        double worst = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k);
            float[] y = b.get(k);
            double diff = 0;
            double scale = 0;
            for (int i = 0; i < x.length; i++) {
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
                scale = Math.max(scale, Math.abs(x[i]));
            }
            assertTrue(scale > 0, k + " has a zero gradient");
            worst = Math.max(worst, diff / scale);
        }
        return worst;
    }

    @Test
    void microBatchedGradientsEqualTheWholeBatchs() {
        int n = 48;
        Batch batch = TrainerTest.random(4, n).next();
        TrainConfig whole = TrainConfig.defaults(TrainerTest.TINY, 10L * n, n, 1e-3, 0);
        Map<String, float[]> reference = gradients(whole, batch);
        for (int m : new int[] {16, 8, 1}) {
            double d = maxRelativeDifference(reference, gradients(whole.withMicroBatch(m), batch));
            assertTrue(d <= 1e-5, "micro-batch " + m + ": max relative difference " + d);
        }
    }

    @Test
    void microBatchedBlockwiseGradientsEqualTheWholeBatchs() {
        int n = 48;
        Batch batch = TrainerTest.random(5, n).next();
        TrainConfig whole = TrainConfig.defaults(TrainerTest.TINY, 10L * n, n, 1e-3, 0);
        Map<String, float[]> reference = gradients(whole, batch);
        for (int[] mb : new int[][] {{12, 7}, {16, 48}, {48, 5}}) {
            TrainConfig c = whole.withMicroBatch(mb[0]).withLossBlock(mb[1]);
            double d = maxRelativeDifference(reference, gradients(c, batch));
            assertTrue(d <= 1e-5, "micro-batch " + mb[0] + ", loss block " + mb[1] + ": " + d);
        }
    }

    @Test
    void aMicroBatchThatDoesNotDivideTheBatchIsBadInput() {
        TrainConfig c = TrainConfig.defaults(TrainerTest.TINY, 4096, 256, 1e-3, 0).withMicroBatch(100);
        BadInputException e = assertThrows(BadInputException.class, c::validate);
        assertTrue(e.getMessage().contains("--micro-batch 100 must divide --batch 256 (e.g. 64)"), e.getMessage());
    }

    /** Trains {@code c} in {@code run} on random batches of seed {@code seed}, to the end or {@code stopAfter} steps. */
    Trainer.Outcome train(TrainConfig c, Path run, long seed, long stopAfter) {
        return new Trainer(c, run, Device.cpu(), quiet).run(TrainerTest.random(seed, c.batch()), TrainerTest.DATA,
                stopAfter);
    }

    /** The run's metrics.jsonl lines without their samples_per_s (a timing). */
    static List<String> metricsWithoutRate(Path run) throws Exception {
        return Files.readString(run.resolve(MetricsLog.FILE)).lines()
                .map(l -> l.replaceAll("\"samples_per_s\":[0-9.]+", "")).toList();
    }

    static List<JsonNode> metrics(Path run) throws Exception {
        return Files.readAllLines(run.resolve(MetricsLog.FILE)).stream().map(l -> {
            try {
                return Json.mapper().readTree(l);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    @Tag("slow") // 2 × 50 steps of tiny at batch 32
    void fiftyMicroBatchedStepsFollowTheWholeBatchLosses(@TempDir Path dir) throws Exception {
        int n = 32;
        TrainConfig c = TrainConfig.defaults(TrainerTest.TINY, 50L * n, n, 3e-3, 2).withWarmup(5);
        train(c, dir.resolve("whole"), 6, Long.MAX_VALUE);
        train(c.withMicroBatch(8), dir.resolve("micro"), 6, Long.MAX_VALUE);
        List<JsonNode> a = metrics(dir.resolve("whole"));
        List<JsonNode> b = metrics(dir.resolve("micro"));
        assertEquals(50, a.size());
        assertEquals(50, b.size());
        double worst = 0;
        for (int i = 0; i < 50; i++) {
            double x = a.get(i).path("loss").asDouble();
            worst = Math.max(worst, Math.abs(x - b.get(i).path("loss").asDouble()) / x);
        }
        assertTrue(worst <= 1e-4, "largest relative loss difference over 50 steps: " + worst);
        assertTrue(a.get(49).path("loss").asDouble() < a.get(0).path("loss").asDouble() - 0.1, "the run learns");
    }

    @Test
    @Tag("slow")
    void aKilledMicroBatchedRunResumesBitwise(@TempDir Path dir) throws Exception {
        int n = 32;
        TrainConfig c = TrainConfig.defaults(TrainerTest.TINY, 12L * n, n, 3e-3, 1).withCheckpointEvery(5)
                .withGradClip(1.0).withMicroBatch(8).withLossBlock(12);
        Path straight = dir.resolve("straight");
        Path killed = dir.resolve("killed");
        train(c, straight, 9, Long.MAX_VALUE);
        assertEquals(7, train(c, killed, 9, 7).steps());
        assertEquals(12, train(c, killed, 9, Long.MAX_VALUE).steps());
        TrainerTest.assertSameTensors(Checkpoint.latest(straight), Checkpoint.latest(killed));
        assertEquals(metricsWithoutRate(straight), metricsWithoutRate(killed));
    }

    @Test
    void loggingEveryKStepsWritesThoseStepsAndCheckpointsOnlyAndTrainsTheSameWeights(@TempDir Path dir)
            throws Exception {
        int n = 16;
        TrainConfig c = TrainConfig.defaults(TrainerTest.TINY, 11L * n, n, 3e-3, 1).withCheckpointEvery(5);
        train(c, dir.resolve("every"), 3, Long.MAX_VALUE);
        train(c.withLogEvery(4), dir.resolve("lean"), 3, Long.MAX_VALUE);
        List<JsonNode> every = metrics(dir.resolve("every"));
        List<JsonNode> lean = metrics(dir.resolve("lean"));
        assertEquals(List.of(4L, 5L, 8L, 10L, 11L), lean.stream().map(j -> j.path("step").asLong()).toList());
        for (JsonNode j : lean) {
            JsonNode same = every.get((int) j.path("step").asLong() - 1);
            assertEquals(same.path("loss").asDouble(), j.path("loss").asDouble(), 0.0);
            assertEquals(same.path("grad_norm").asDouble(), j.path("grad_norm").asDouble(), 0.0);
        }
        TrainerTest.assertSameTensors(Checkpoint.latest(dir.resolve("every")), Checkpoint.latest(dir.resolve("lean")));
    }
}
