package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

/** A killed run's metrics.jsonl on resume: a torn last line is cut and said; no step is dropped silently. */
class MetricsLogTest {
    private static String line(long step) {
        return "{\"step\":" + step + ",\"samples_seen\":" + step * 32 + ",\"loss\":1.5}\n";
    }

    @Test
    void aTornLastLineIsCutAndReported(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, line(1) + line(2) + line(3) + line(4) + "{\"step\":5,\"sampl");
        try (MetricsLog log = new MetricsLog(f, 3)) {
            assertTrue(log.tornLine() != null && log.tornLine().contains("torn last line"), log.tornLine());
        }
        assertEquals(line(1) + line(2) + line(3), Files.readString(f));
    }

    @Test
    void aCorruptLineInsideOrMissingStepsAreRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, line(1) + "{\"step\":2,\"sa\n" + line(3));
        BadInputException e = assertThrows(BadInputException.class, () -> new MetricsLog(f, 3));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        Files.writeString(f, line(1) + line(3));
        e = assertThrows(BadInputException.class, () -> new MetricsLog(f, 3));
        assertTrue(e.getMessage().contains("step 3 where step 2"), e.getMessage());
        Files.writeString(f, line(1) + "{\"step\":2,\"sa");
        e = assertThrows(BadInputException.class, () -> new MetricsLog(f, 3));
        assertTrue(e.getMessage().contains("holds steps 1..1 but the checkpoint is at step 3"), e.getMessage());
    }

    @Test
    void readGivesEveryStepsSamplesSeenAndLossAndRefusesACorruptLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, line(1) + "\n" + "{\"step\":2,\"samples_seen\":64,\"loss\":1.25}\n");
        assertEquals(java.util.List.of(new MetricsLog.Line(1, 32, 1.5), new MetricsLog.Line(2, 64, 1.25)),
                MetricsLog.read(f));
        assertTrue(MetricsLog.read(dir.resolve("none.jsonl")).isEmpty(), "a run without metrics: no curve");
        Files.writeString(f, line(1) + "{\"step\":2,\"sa\n");
        BadInputException e = assertThrows(BadInputException.class, () -> MetricsLog.read(f));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains(f.toString()), e.getMessage());
    }
}
