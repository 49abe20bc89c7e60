package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.Json;
import org.qqt.testutil.TestLauncher;

class BenchSplitCommandTest {
    @Test
    void benchSplitHelpRendersItsOptions() {
        CliRun r = CliRun.qqt("bench", "split", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--model") && r.out().contains("--steps") && r.out().contains("1 x cores"), r.out());
        CliRun bench = CliRun.qqt("bench", "--help");
        assertTrue(bench.out().contains("split"), bench.out());
    }

    /** Every split of 2 cores really trains: 1x2 is the baseline (ratio 1), 2x1 runs two workers. */
    @Test
    @Tag("slow") // three short qqt train processes, ~30 s on a busy 2-core machine
    void measuresEverySplitOfTheCoresAgainstOneWorker(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.qqt("bench", "split", "--model", "models/tiny.json", "--cores", "2", "--steps", "2",
                "--warmup", "1", "--batch", "8", "--format", "json", "--qqt", TestLauncher.write(dir).toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = Json.mapper().readTree(r.out());
        assertEquals(2, j.get("cores").asInt());
        assertEquals(2, j.get("timed_steps").asInt());
        JsonNode splits = j.get("splits");
        assertEquals(2, splits.size(), splits.toString());
        assertEquals(1, splits.get(0).get("workers").asInt());
        assertEquals(2, splits.get(0).get("threads").asInt());
        assertEquals(1.0, splits.get(0).get("ratio_to_1x2").asDouble(), 1e-9, "the baseline is 1x2 itself");
        assertEquals(2, splits.get(1).get("workers").asInt());
        assertEquals(2, splits.get(1).get("per_worker").size(), "one rate per worker");
        for (JsonNode s : splits) {
            assertTrue(s.get("samples_per_s").asDouble() > 0, s.toString());
        }
        String winner = j.get("winner").asText();
        assertTrue(winner.equals(splits.get(0).get("workers") + "x" + splits.get(0).get("threads"))
                || winner.equals("2x1"), winner);
    }

    @Test
    void shardsWithoutPoolIsExit2() {
        CliRun r = CliRun.qqt("bench", "split", "--model", "models/tiny.json", "--data",
                "shards");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--pool and --subset"), r.err());
    }
}
