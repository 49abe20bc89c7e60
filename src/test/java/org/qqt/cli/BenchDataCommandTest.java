package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.qqt.io.Json;
import picocli.CommandLine;

class BenchDataCommandTest {
    private static String[] run(String... args) {
        CommandLine cl = Qqt.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void tooFewSamplesIsAUsageError() {
        String[] r = run("bench", "data", "--samples", "5");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--samples"), r[2]);
    }

    @Test
    void firstBatchResumesFromTheIndexCacheAlsoWithAColdPageCache() throws Exception {
        String[] r = run("bench", "data", "--first-batch", "--samples", "400", "--batch-size", "8", "--threads", "1",
                "--cold", "--format", "json");
        assertEquals("0", r[0], r[2]);
        JsonNode n = Json.mapper().readTree(r[1]);
        assertTrue(n.get("coldCache").asBoolean());
        assertTrue(n.get("shards").asInt() >= 1);
        assertEquals(n.get("shards").asInt(), n.get("resumeShardsFromCache").asInt(), "the resume read every shard's cache");
        long bytes = n.get("indexCacheBytes").asLong();
        assertTrue(bytes >= 400L * 41 && bytes < 400L * 41 + 300L * n.get("shards").asInt(),
                bytes + ": 41 bytes per sample, plus each file's header");
        String[] bad = run("bench", "data", "--cold");
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("--cold"), bad[2]);
    }

    @Test
    void smallRunReportsEveryRateAsJson() throws Exception {
        String[] r = run("bench", "data", "--samples", "300", "--sizes", "16", "--threads", "1,2", "--rounds", "1",
                "--batch-size", "32", "--format", "json");
        assertEquals("0", r[0], r[2]);
        JsonNode n = Json.mapper().readTree(r[1]);
        assertEquals(4, n.get("rates").size()); // tar read, ImageIO, loader x2
        for (JsonNode rate : n.get("rates")) {
            assertTrue(rate.get("samplesPerSecond").asDouble() > 0);
            assertEquals(16, rate.get("imageSize").asInt());
        }
        assertTrue(n.get("rates").get(3).get("samples").asInt() >= 300, "at least one epoch timed");
    }
}
