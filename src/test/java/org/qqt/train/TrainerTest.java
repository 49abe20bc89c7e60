package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.testutil.TestModels;
import org.qqt.data.Batch;
import org.qqt.data.BatchSource;
import org.qqt.data.LoaderState;
import org.qqt.io.Json;
import org.qqt.model.Clip;
import org.qqt.model.ModelConfig;

class TrainerTest {
    static final ModelConfig TINY = TestModels.TINY;
    static final DataInfo DATA = new DataInfo("random", null, null, "random", 4096);
    final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

    static RandomBatchSource random(long seed, int batch) {
        return new RandomBatchSource(seed, batch, TINY.imageSize(), TINY.contextLength(), TINY.vocabSize(), 4096);
    }

    @Test
    @Tag("slow") // ~5 s on a quiet 2-core machine, minutes when it is shared
    void aFixedBatchIsOverfittedWithin50Steps(@TempDir Path dir) {
        int n = 64;
        Batch batch = random(5, n).next();
        TrainConfig c = TrainConfig.defaults(TINY, 50L * n, n, 3e-3, 0).withWarmup(5);
        Trainer.Outcome o = new Trainer(c, dir, Device.cpu(), quiet).run(new FixedBatchSource(batch), DATA);
        assertEquals(50, o.steps());
        assertTrue(o.finalLoss() < 0.1, "loss after 50 steps on one batch: " + o.finalLoss());
    }

    @Test
    @Tag("slow")
    void resumeAfterKillInMidEpochGivesIdenticalWeights(@TempDir Path dir) throws Exception {
        int n = 32;
        TrainConfig c = TrainConfig.defaults(TINY, 12L * n, n, 3e-3, 1).withCheckpointEvery(5).withGradClip(1.0);
        Path straight = dir.resolve("straight");
        Path killed = dir.resolve("killed");
        new Trainer(c, straight, Device.cpu(), quiet).run(random(9, n), DATA);

        // "kill" after step 7: the last checkpoint is at step 5, steps 6 and 7 are lost
        Trainer.Outcome partial = new Trainer(c, killed, Device.cpu(), quiet).run(random(9, n), DATA, 7);
        assertEquals(7, partial.steps());
        assertEquals(5, Checkpoint.readState(Checkpoint.latest(killed)).step());
        // restart with a fresh source (position 0): the checkpoint's loader state must move it to batch 5
        Trainer.Outcome resumed = new Trainer(c, killed, Device.cpu(), quiet).run(random(9, n), DATA);
        assertEquals(12, resumed.steps());

        assertSameTensors(Checkpoint.latest(straight), Checkpoint.latest(killed));
        List<String> a = Files.readAllLines(straight.resolve(MetricsLog.FILE));
        List<String> b = Files.readAllLines(killed.resolve(MetricsLog.FILE));
        assertEquals(12, b.size(), "metrics after resume hold each step once");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(Json.mapper().readTree(a.get(i)).get("loss"), Json.mapper().readTree(b.get(i)).get("loss"));
        }
    }

    @Test
    @Tag("slow")
    void keptCheckpointsSurviveAKillAndResumeOncePerCountWithTheUninterruptedWeights(@TempDir Path dir)
            throws Exception {
        int n = 32;
        TrainConfig c = TrainConfig.defaults(TINY, 12L * n, n, 3e-3, 1).withCheckpointEvery(5);
        List<Long> keep = List.of(96L, 100L, 182L, 384L); // steps 3, 4, 6, 12 → 96, 128, 192, 384 samples
        Path straight = dir.resolve("straight");
        Path killed = dir.resolve("killed");
        new Trainer(c, straight, Device.cpu(), quiet, keep).run(random(9, n), DATA);
        // killed after step 7: step 6's kept checkpoint exists, the resumable one is at step 5
        new Trainer(c, killed, Device.cpu(), quiet, keep).run(random(9, n), DATA, 7);
        assertTrue(Files.isRegularFile(Checkpoint.kept(killed, 192)));
        new Trainer(c, killed, Device.cpu(), quiet, keep).run(random(9, n), DATA);

        for (long seen : List.of(96L, 128L, 192L, 384L)) {
            assertSameModel(Checkpoint.kept(straight, seen), Checkpoint.kept(killed, seen));
            assertEquals(seen, Checkpoint.readState(Checkpoint.kept(killed, seen)).samplesSeen());
        }
        assertSameModel(Checkpoint.kept(killed, 384), Checkpoint.latest(killed));
        RunRecord rec = Json.read(killed.resolve(RunRecord.FILE), RunRecord.class);
        assertEquals(RunRecord.DONE, rec.status());
        assertEquals(keep, rec.keepAt());
        assertEquals(List.of(new RunRecord.Kept(96, 3, "checkpoints/samples-96.safetensors"),
                new RunRecord.Kept(128, 4, "checkpoints/samples-128.safetensors"),
                new RunRecord.Kept(192, 6, "checkpoints/samples-192.safetensors"),
                new RunRecord.Kept(384, 12, "checkpoints/samples-384.safetensors")), rec.kept(),
                "each kept checkpoint listed once, the re-done step 6 included");
        try (Stream<Path> files = Files.list(killed.resolve(Checkpoint.DIR))) {
            assertEquals(6, files.count(), "latest + its optimiser state + 4 kept, no temp files");
        }
        try (Clip m = Checkpoint.loadModel(Checkpoint.kept(killed, 96), Device.cpu())) {
            assertEquals(TINY, Checkpoint.readState(Checkpoint.kept(killed, 96)).config().model());
        }
        // a done run asked for a count it did not keep is bad input (it cannot be produced any more)
        assertThrows(org.qqt.io.BadInputException.class,
                () -> new Trainer(c, killed, Device.cpu(), quiet, List.of(64L)).alreadyDone());
        assertTrue(new Trainer(c, killed, Device.cpu(), quiet, List.of(90L)).alreadyDone().alreadyDone(),
                "90 rounds up to the kept 96");
        assertThrows(org.qqt.io.BadInputException.class,
                () -> new Trainer(c, killed, Device.cpu(), quiet, List.of(385L)), "beyond the budget");
    }

    /** The model parameters of two checkpoints are identical (the kept ones hold no optimiser moments). */
    static void assertSameModel(Path x, Path y) {
        try (Clip a = Checkpoint.loadModel(x, Device.cpu()); Clip b = Checkpoint.loadModel(y, Device.cpu())) {
            for (Map.Entry<String, ai.djl.ndarray.NDArray> e : a.parameters().entrySet()) {
                assertArrayEquals(e.getValue().toFloatArray(), b.parameters().get(e.getKey()).toFloatArray(),
                        e.getKey() + " differs between " + x + " and " + y);
            }
        }
    }

    static void assertSameTensors(Path x, Path y) {
        assertSameTensors(x, y, TINY);
    }

    /** Weights (latest.safetensors) and second moments (its optimizer file) of two checkpoints are bitwise equal. */
    static void assertSameTensors(Path x, Path y, ModelConfig model) {
        long step = Checkpoint.readState(x).step();
        assertEquals(step, Checkpoint.readState(y).step());
        Map<Path, Path> files = Map.of(x, y, Checkpoint.optimizerFile(x, step), Checkpoint.optimizerFile(y, step));
        for (Map.Entry<Path, Path> pair : files.entrySet()) {
            String prefix = pair.getKey().equals(x) ? "" : "exp_avg_sq.";
            try (SafeTensors.Reader a = new SafeTensors.Reader(pair.getKey());
                 SafeTensors.Reader b = new SafeTensors.Reader(pair.getValue());
                 Clip m1 = new Clip(model, Device.cpu(), 100); Clip m2 = new Clip(model, Device.cpu(), 200)) {
                for (Map.Entry<String, ai.djl.ndarray.NDArray> e : m1.parameters().entrySet()) {
                    a.readInto(prefix + e.getKey(), e.getValue());
                    b.readInto(prefix + e.getKey(), m2.parameters().get(e.getKey()));
                    assertArrayEquals(e.getValue().toFloatArray(), m2.parameters().get(e.getKey()).toFloatArray(),
                            prefix + e.getKey() + " differs");
                }
            }
        }
    }

    @Test
    void aFinishedRunStartedAgainDoesNothing(@TempDir Path dir) throws Exception {
        int n = 16;
        TrainConfig c = TrainConfig.defaults(TINY, 3L * n, n, 1e-3, 0);
        new Trainer(c, dir, Device.cpu(), quiet).run(random(1, n), DATA);
        RunRecord rec = Json.read(dir.resolve(RunRecord.FILE), RunRecord.class);
        assertEquals(RunRecord.DONE, rec.status());
        assertEquals(3, rec.stepsDone());
        assertEquals(3L * n, rec.samplesSeen());
        assertEquals("random", rec.poolName());
        long modified = Files.getLastModifiedTime(Checkpoint.latest(dir)).toMillis();
        Trainer.Outcome again = new Trainer(c, dir, Device.cpu(), quiet).run(random(1, n), DATA);
        assertTrue(again.alreadyDone());
        assertEquals(modified, Files.getLastModifiedTime(Checkpoint.latest(dir)).toMillis());
        assertEquals(3, Files.readAllLines(dir.resolve(MetricsLog.FILE)).size());
        try (Clip loaded = Checkpoint.loadModel(Checkpoint.latest(dir), Device.cpu());
             Clip fresh = new Clip(TINY, Device.cpu(), 0)) {
            String name = "visual.proj";
            float[] trained = loaded.parameters().get(name).toFloatArray();
            assertFalse(Arrays.equals(trained, fresh.parameters().get(name).toFloatArray()), "weights were loaded");
        }
    }

    @Test
    void aRunDirectoryHoldingAnotherConfigIsRefused(@TempDir Path dir) {
        int n = 16;
        TrainConfig c = TrainConfig.defaults(TINY, 2L * n, n, 1e-3, 0);
        new Trainer(c, dir, Device.cpu(), quiet).run(random(1, n), DATA, 1);
        TrainConfig other = TrainConfig.defaults(TINY, 2L * n, n, 2e-3, 0);
        org.qqt.io.BadInputException e = assertThrows(org.qqt.io.BadInputException.class,
                () -> new Trainer(other, dir, Device.cpu(), quiet).run(random(1, n), DATA));
        assertTrue(e.getMessage().contains("another config"), e.getMessage());
        // a different checkpoint frequency is the same run
        Trainer.Outcome o = new Trainer(c.withCheckpointEvery(1), dir, Device.cpu(), quiet).run(random(1, n), DATA);
        assertEquals(2, o.steps());
    }

    @Test
    void aConfigThatCannotFitFailsEarlyWithTheEstimate(@TempDir Path dir) {
        ModelConfig b32 = ModelConfig.load(Path.of("models/vit-b-32.json"));
        int n = 1 << 16;
        TrainConfig c = TrainConfig.defaults(b32, 10L * n, n, 1e-3, 0);
        RandomBatchSource never = new RandomBatchSource(0, n, 224, 77, 49408, 1L << 20);
        org.qqt.io.BadInputException e = assertThrows(org.qqt.io.BadInputException.class,
                () -> new Trainer(c, dir, Device.cpu(), quiet).run(never, DATA));
        assertTrue(e.getMessage().contains("needs about") && e.getMessage().contains("GB"), e.getMessage());
        assertFalse(Files.exists(dir.resolve(RunRecord.FILE)), "nothing written before the check");
    }

    @Test
    void aNonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) {
        int n = 16;
        TrainConfig c = TrainConfig.defaults(TINY, 10L * n, n, 1e-3, 0).withCheckpointEvery(2);
        RandomBatchSource good = random(2, n);
        BatchSource poisoned = new BatchSource() {
            long k;

            @Override
            public Batch next() {
                Batch b = good.next();
                if (++k == 4) {
                    float[] img = b.images().clone();
                    Arrays.fill(img, Float.NaN);
                    return new Batch(b.size(), b.imageSize(), b.contextLength(), img, b.tokens());
                }
                return b;
            }

            @Override
            public LoaderState state() {
                return good.state();
            }

            @Override
            public void restore(LoaderState s) {
                good.restore(s);
            }

            @Override
            public void close() {}
        };
        DivergedException e = assertThrows(DivergedException.class,
                () -> new Trainer(c, dir, Device.cpu(), quiet).run(poisoned, DATA));
        assertTrue(e.getMessage().contains("step 4"), e.getMessage());
        assertEquals(2, Checkpoint.readState(Checkpoint.latest(dir)).step());
        assertEquals(RunRecord.DIVERGED, Json.read(dir.resolve(RunRecord.FILE), RunRecord.class).status());
    }

    @Test
    void theBlockwiseLossTrainsLikeTheFullLoss(@TempDir Path dir) throws Exception {
        int n = 16;
        TrainConfig c = TrainConfig.defaults(TINY, 3L * n, n, 1e-3, 0);
        new Trainer(c, dir.resolve("full"), Device.cpu(), quiet).run(random(4, n), DATA);
        new Trainer(c.withLossBlock(5), dir.resolve("block"), Device.cpu(), quiet).run(random(4, n), DATA);
        List<String> a = Files.readAllLines(dir.resolve("full").resolve(MetricsLog.FILE));
        List<String> b = Files.readAllLines(dir.resolve("block").resolve(MetricsLog.FILE));
        for (int i = 0; i < 3; i++) {
            double la = Json.mapper().readTree(a.get(i)).get("loss").asDouble();
            double lb = Json.mapper().readTree(b.get(i)).get("loss").asDouble();
            assertEquals(la, lb, 1e-4, "step " + (i + 1));
        }
        assertFalse(a.equals(List.of()));
    }
}
