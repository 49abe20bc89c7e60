package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchSplitCommandTest {
    @Test
    void benchSplitHelpRendersItsOptions() {
        CliRun r = CliRun.qqt("bench", "split", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--model") && r.out().contains("--steps") && r.out().contains("1 x cores"), r.out());
        CliRun bench = CliRun.qqt("bench", "--help");
        assertTrue(bench.out().contains("split"), bench.out());
    }

    @Test
    void shardsWithoutPoolIsExit2() {
        CliRun r = CliRun.qqt("bench", "split", "--model", "models/tiny.json", "--data",
                "shards");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--pool and --subset"), r.err());
    }
}
