package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.Device;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.data.Batch;
import org.qqt.data.BatchSource;
import org.qqt.data.LoaderState;
import org.qqt.io.Json;

/** The loader's count of skipped (undecodable) samples reaches the checkpoint and run.json. */
class SamplesSkippedTest {
    @Test
    void theSkipCountOfTheLoaderStateIsWrittenToRunJsonAndTheCheckpoint(@TempDir Path dir) {
        int n = 8;
        RandomBatchSource random = TrainerTest.random(3, n);
        BatchSource skipping = new BatchSource() {
            @Override
            public Batch next() {
                return random.next();
            }

            @Override
            public LoaderState state() {
                LoaderState s = random.state();
                return new LoaderState(s.seed(), s.epoch(), s.indexInEpoch(), s.samplesServed(), s.samplesServed() / n);
            }

            @Override
            public void restore(LoaderState s) {
                random.restore(s);
            }

            @Override
            public void close() {}
        };
        TrainConfig c = TrainConfig.defaults(TrainerTest.TINY, 3L * n, n, 1e-3, 0);
        new Trainer(c, dir, Device.cpu(), new PrintStream(PrintStream.nullOutputStream())).run(skipping,
                TrainerTest.DATA);
        RunRecord r = Json.read(dir.resolve(RunRecord.FILE), RunRecord.class);
        assertEquals(3L, r.samplesSkipped(), "one per step in this fake loader");
        assertEquals(3L, Checkpoint.readState(Checkpoint.latest(dir)).loader().skipped());
    }

    @Test
    void aLoaderStateWithoutTheCountReadsAsNoneSkipped() {
        LoaderState s = Json.mapper().convertValue(Json.mapper().createObjectNode().put("seed", 1).put("epoch", 0)
                .put("indexInEpoch", 4).put("samplesServed", 4), LoaderState.class);
        assertNull(s.samplesSkipped());
        assertEquals(0, s.skipped());
    }
}
