package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Tag("slow")
class BenchFilterCommandTest {
    @Test
    void benchFilterTimesEveryPathAndChecksTheyWriteTheSameFiles(@TempDir Path dir) {
        CliRun r = CliRun.qqt("bench", "filter", "--rows", "200k", "--dir", dir.toString(), "--one-worker",
                "--tokenizer-captions", "0");
        assertEquals(0, r.code(), r.err());
        for (String line : new String[] {"filter top-10%", "filter deciles (10 buckets)", "one-worker deciles",
            "previous deciles (export per bucket)", "ONE_WORKER path wrote identical .npy files (deciles-200000)",
            "PER_BUCKET_EXPORT path wrote identical .npy files (top10-200000)", "speed-up over the ONE_WORKER path"}) {
            assertTrue(r.out().contains(line), line + " in:\n" + r.out());
        }
    }
}
