package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepDefaultSplitTest {

    private static String run(Path cfg, String... extra) {
        String[] args = new String[3 + extra.length];
        args[0] = "sweep";
        args[1] = "run";
        args[2] = cfg.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        CliRun r = CliRun.qqt(args);
        assertEquals(0, r.code(), r.out() + " " + r.err());
        return r.out();
    }

    private static Path config(Path dir, String local) throws IOException {
        Files.createDirectories(dir);
        Path stage = dir.resolve("stage.sh");
        Files.writeString(stage, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(stage, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cfg = dir.resolve("sweep.yaml");
        Files.writeString(cfg, """
                name: split
                runs: %1$s/runs
                pool: %1$s/pool
                pool_size: 10k
                buckets:
                  - {name: top0-10, from: 0, to: 10}
                epochs: [1]
                model: models/tiny.json
                stages:
                  - {name: train, command: ["%2$s"]}
                %3$s""".formatted(dir, stage, local));
        return cfg;
    }

    @Test
    void withoutWorkersOrThreadsACpuMachineRunsOneSingleThreadWorkerPerCoreForTheTinyModel(@TempDir Path dir)
            throws IOException {
        Assumptions.assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
        int cores = Runtime.getRuntime().availableProcessors();
        String out = run(config(dir, ""));
        assertTrue(out.contains("local: " + cores + " worker(s) x 1 thread(s) (default on a CPU"), out);
    }

    @Test
    void workersFromTheConfigOrTheCommandLineAreKept(@TempDir Path dir) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        String fromConfig = run(config(dir.resolve("a"), "local: {workers: 1}\n"));
        assertTrue(fromConfig.contains("local: 1 worker(s) x " + cores + " thread(s) (given)"), fromConfig);
        String fromCli = run(config(dir.resolve("b"), ""), "--threads", "1");
        assertTrue(fromCli.contains("local: 1 worker(s) x 1 thread(s) (given)"), fromCli);
    }
}
