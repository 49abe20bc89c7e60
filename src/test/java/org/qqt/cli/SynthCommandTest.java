package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthCommandTest {
    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        var cl = Qqt.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void statsOnlyPrintsTenDecilesAndWritesNothing(@TempDir Path dir) {
        Result r = run("synth", "--stats-only", "--pool-size", "1k", "--seed", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| 10 (top 90–100%) | 100 |"), r.out());
    }

    @Test
    void metadataOnlyRunWritesParquetAndWorldJson(@TempDir Path dir) {
        Path out = dir.resolve("w");
        Result r = run("synth", "--config", "configs/world-tiny.yaml", "--out", out.toString(), "--metadata-only",
                "--pool-size", "50");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("pool/metadata.parquet")));
        assertTrue(Files.exists(out.resolve("world.json")));
        assertTrue(r.out().contains("\"pool_samples\":50"), r.out());
    }

    @Test
    void badConfigIsExitCodeTwoWithOneLine(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("bad.yaml");
        Files.writeString(cfg, "imageSiz: 32\n");
        Result r = run("synth", "--config", cfg.toString(), "--stats-only");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("imageSiz") && r.err().lines().count() == 1, r.err());
        assertEquals(2, run("synth", "--stats-only", "--pool-size", "0").code());
        assertEquals(2, run("synth").code()); // no --out
    }
}
