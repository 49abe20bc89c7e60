package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.model.Clip;

/**
 * latest.safetensors holds the model tensors only (what open_clip's load_state_dict(strict=True) needs), the AdamW
 * moments sit beside it; a checkpoint written before the split (one mixed file) still resumes bitwise.
 */
class CheckpointSplitTest {
    private final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

    private static Set<String> tensorNames(Path file) {
        try (SafeTensors.Reader r = new SafeTensors.Reader(file)) {
            return r.names();
        }
    }

    @Test
    void latestHoldsExactlyTheModelTensorsAndResumesBitwiseFromOldMixedCheckpoints(@TempDir Path dir) throws Exception {
        int n = 16;
        TrainConfig c = TrainConfig.defaults(TrainerTest.TINY, 6L * n, n, 3e-3, 1).withCheckpointEvery(3);
        Path straight = dir.resolve("straight");
        new Trainer(c, straight, Device.cpu(), quiet).run(TrainerTest.random(4, n), TrainerTest.DATA);

        Path latest = Checkpoint.latest(straight);
        Set<String> modelNames;
        try (Clip m = new Clip(TrainerTest.TINY, Device.cpu(), 0)) {
            modelNames = m.parameters().keySet();
        }
        assertEquals(modelNames, tensorNames(latest), "model tensors only: open_clip's strict load takes them");
        Path moments = Checkpoint.optimizerFile(latest, 6);
        assertTrue(Files.isRegularFile(moments));
        assertFalse(Files.exists(Checkpoint.optimizerFile(latest, 3)), "the moments of step 3 are gone");
        assertEquals(2 * modelNames.size(), tensorNames(moments).size(), "exp_avg and exp_avg_sq per parameter");

        // a run killed after step 4 whose step-3 checkpoint is in the old format: model and moments in one file
        Path old = dir.resolve("old");
        new Trainer(c, old, Device.cpu(), quiet).run(TrainerTest.random(4, n), TrainerTest.DATA, 4);
        Path oldLatest = Checkpoint.latest(old);
        Checkpoint.State state = Checkpoint.readState(oldLatest);
        assertEquals(3, state.step());
        try (Clip m = new Clip(TrainerTest.TINY, Device.cpu(), 0);
             AdamW opt = new AdamW(m.parameters(), m.manager(), c.beta1(), c.beta2(), c.eps(), c.weightDecay())) {
            Checkpoint.load(oldLatest, m, opt);
            Map<String, NDArray> mixed = new LinkedHashMap<>(m.parameters());
            opt.state().forEach((k, v) -> mixed.put(Checkpoint.OPTIMIZER_PREFIX + k, v));
            SafeTensors.write(oldLatest, mixed, Map.of("format", "qqt-checkpoint", Checkpoint.STATE_KEY,
                    Json.compact(state)));
        }
        Path oldMoments = Checkpoint.optimizerFile(oldLatest, 3);
        assertTrue(Files.deleteIfExists(oldMoments));
        new Trainer(c, old, Device.cpu(), quiet).run(TrainerTest.random(4, n), TrainerTest.DATA);
        TrainerTest.assertSameTensors(latest, Checkpoint.latest(old));

        // a split checkpoint whose moments are missing cannot resume exactly: one line naming the file
        Path lost = dir.resolve("lost");
        new Trainer(c, lost, Device.cpu(), quiet).run(TrainerTest.random(4, n), TrainerTest.DATA, 4);
        Path lostMoments = Checkpoint.optimizerFile(Checkpoint.latest(lost), 3);
        assertTrue(Files.deleteIfExists(lostMoments));
        BadInputException e = assertThrows(BadInputException.class, () -> new Trainer(c, lost, Device.cpu(), quiet)
                .run(TrainerTest.random(4, n), TrainerTest.DATA));
        assertTrue(e.getMessage().startsWith(lostMoments.toString()), e.getMessage());
    }

    @Test
    void exportWritesTheModelAloneWithItsConfig(@TempDir Path dir) throws Exception {
        int n = 16;
        TrainConfig c = TrainConfig.defaults(TrainerTest.TINY, 2L * n, n, 3e-3, 1);
        Path run = dir.resolve("run");
        new Trainer(c, run, Device.cpu(), quiet).run(TrainerTest.random(4, n), TrainerTest.DATA);
        Path out = dir.resolve("model.safetensors");
        Checkpoint.export(Checkpoint.latest(run), out);
        assertEquals(tensorNames(Checkpoint.latest(run)), tensorNames(out));
        try (SafeTensors.Reader r = new SafeTensors.Reader(out);
             Clip trained = Checkpoint.loadModel(Checkpoint.latest(run), Device.cpu());
             Clip exported = new Clip(TrainerTest.TINY, Device.cpu(), 7)) {
            assertFalse(r.metadata().containsKey(Checkpoint.STATE_KEY), "no training state in an exported model");
            assertEquals(TrainerTest.TINY, Json.mapper().convertValue(Json.mapper().readTree(r.metadata().get("qqt.model")),
                    org.qqt.model.ModelConfig.class));
            exported.parameters().forEach(r::readInto);
            trained.parameters().forEach((k, v) -> org.junit.jupiter.api.Assertions.assertArrayEquals(v.toFloatArray(),
                    exported.parameters().get(k).toFloatArray(), k));
        }
    }
}
