package org.qqt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitBenchTest {

    @Test
    void splitsAreEveryDivisorPairOfTheCoresFewestWorkersFirst() {
        assertEquals(List.of(new LocalSplit(1, 2), new LocalSplit(2, 1)), SplitBench.splits(2));
        assertEquals(List.of(new LocalSplit(1, 16), new LocalSplit(2, 8), new LocalSplit(4, 4), new LocalSplit(8, 2),
                new LocalSplit(16, 1)), SplitBench.splits(16));
        assertEquals(List.of(new LocalSplit(1, 1)), SplitBench.splits(1));
        assertEquals(List.of(new LocalSplit(1, 6), new LocalSplit(2, 3), new LocalSplit(3, 2), new LocalSplit(6, 1)),
                SplitBench.splits(6));
    }

    @Test
    void throughputSkipsWarmupStepsAndWeighsStepsByTheirTime(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("metrics.jsonl");
        // step 1 is slow (warm-up); steps 2 and 3 take 1 s and 0.5 s for 100 samples each: 200 / 1.5 s
        Files.writeString(m, """
                {"step":1,"samples_seen":100,"loss":5.0,"samples_per_s":10.0}
                {"step":2,"samples_seen":200,"loss":5.0,"samples_per_s":100.0}
                {"step":3,"samples_seen":300,"loss":5.0,"samples_per_s":200.0}
                """);
        assertEquals(200 / 1.5, SplitBench.throughputAfterWarmup(m, 1), 1e-9);
        assertEquals(300 / 11.5, SplitBench.throughputAfterWarmup(m, 0), 1e-9);
        assertThrows(IllegalStateException.class, () -> SplitBench.throughputAfterWarmup(m, 3));
        assertThrows(IllegalStateException.class, () -> SplitBench.throughputAfterWarmup(dir.resolve("none"), 0));
    }

    @Test
    void workerCommandIsQqtTrainWithTheSplitsThreadsAndTheWholeBudget(@TempDir Path dir) {
        SplitBench.Options o = new SplitBench.Options(Path.of("/x/bin/qqt"), Path.of("/m/tiny.json"), 64, 2, 5,
                SplitBench.Data.RANDOM, dir);
        List<String> c = SplitBench.command(o, 3, 1, dir.resolve("w1"));
        assertEquals(List.of("/x/bin/qqt", "train"), c.subList(0, 2));
        String line = String.join(" ", c);
        assertTrue(line.contains("--threads 3") && line.contains("--samples-seen 448") && line.contains("--batch 64")
                && line.contains("--seed 1") && line.contains("--data random"), line);
        List<String> shards = SplitBench.command(new SplitBench.Options(Path.of("qqt"), Path.of("m.json"), 64, 0, 1,
                new SplitBench.Data(Path.of("/p"), Path.of("/p/s.npy")), dir), 1, 0, dir.resolve("w0"));
        assertTrue(String.join(" ", shards).contains("--data shards --pool /p --subset /p/s.npy"), shards.toString());
    }
}
