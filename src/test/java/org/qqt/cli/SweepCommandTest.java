package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SweepCommandTest {
    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = Qqt.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    /** Two buckets × epochs [1, 2]; the stage fails when the run dir's name is listed in fail.txt. */
    private Path config() throws IOException {
        Path stage = dir.resolve("stage.sh");
        Files.writeString(stage, """
                #!/bin/sh
                id=$(basename "$2")
                if grep -qx "$id" "$3/fail.txt" 2>/dev/null; then echo "cannot read subset for $id"; exit 4; fi
                echo "$1 $id" >> "$3/counter.txt"
                """);
        Files.setPosixFilePermissions(stage, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cfg = dir.resolve("sweep.yaml");
        Files.writeString(cfg, """
                name: cli
                runs: %1$s/runs
                pool: %1$s/pool
                pool_size: 10k
                buckets:
                  - {name: top0-10, from: 0, to: 10}
                  - {name: top10-20, from: 10, to: 20}
                epochs: [1, 2]
                model: %1$s/tiny.json
                stages:
                  - {name: train, command: ["%2$s", train, "{run_dir}", "%1$s"]}
                  - {name: eval, command: ["%2$s", eval, "{run_dir}", "%1$s"]}
                slurm: {partition: gpu, gpus: 1, time: "24:00:00", account: proj, cpus_per_task: 8, mem: 64G,
                        max_parallel: 3, extra: ["--qos=high", "module load java/17"]}
                """.formatted(dir, stage));
        return cfg;
    }

    @Test
    void planRunStatusAndRetryThroughTheCli() throws IOException {
        Path cfg = config();
        assertEquals(0, run("sweep", "plan", cfg.toString(), "--format", "csv"), err.toString());
        List<String> rows = out.toString().lines().skip(1).toList();
        assertEquals(4, rows.size(), out.toString());
        String firstId = rows.get(0).split(",")[0];
        assertTrue(rows.get(0).contains(",bucket,top0-10,1000,1,1000,0"), rows.get(0));
        String bad = rows.get(3).split(",")[0];
        Files.writeString(dir.resolve("fail.txt"), bad + "\n");

        assertEquals(1, run("sweep", "run", cfg.toString(), "--workers", "2", "--threads", "1"), out + "" + err);
        assertTrue(out.toString().contains("local: 2 worker(s) x 1 thread(s)"), out.toString());
        assertTrue(out.toString().contains("failed " + bad), out.toString());
        assertTrue(out.toString().contains("cannot read subset for " + bad), out.toString());
        assertTrue(out.toString().contains("qqt sweep retry"), out.toString());

        assertEquals(0, run("sweep", "status", cfg.toString()), err.toString());
        assertTrue(out.toString().contains("failed       " + bad + "  (stage train exited with 4)"), out.toString());
        assertTrue(out.toString().contains("| cannot read subset for " + bad), out.toString());
        assertTrue(out.toString().contains("done         " + firstId), out.toString());
        assertTrue(out.toString().contains("total 4: {done=3, running=0, queued=0, failed=1"), out.toString());

        assertEquals(1, run("sweep", "run", cfg.toString()), "a failed run keeps the sweep unfinished");
        assertTrue(out.toString().contains("starting 0"), out.toString());

        Files.delete(dir.resolve("fail.txt"));
        assertEquals(0, run("sweep", "retry", cfg.toString(), bad), out + "" + err);
        assertEquals(0, run("sweep", "run", cfg.toString()), out + "" + err);
        assertTrue(out.toString().contains("4 runs (4 done"), out.toString());
        List<String> counter = Files.readAllLines(dir.resolve("counter.txt"));
        assertEquals(8, counter.size(), "each of 4 runs trained and evaluated once: " + counter);

        assertEquals(2, run("sweep", "retry", cfg.toString(), "no-such-run"));
        assertTrue(err.toString().contains("no run 'no-such-run' in sweep cli"), err.toString());
    }

    @Test
    void slurmDryRunWritesTheArrayScriptAndRunList() throws IOException {
        Path cfg = config();
        assertEquals(0, run("sweep", "run", cfg.toString(), "--executor", "slurm", "--dry-run", "--time", "2:00:00",
                "--sbatch-line", "--constraint=a100", "--qqt", "/opt/qqt/bin/qqt"), out + "" + err);
        Path slurm = dir.resolve("runs/cli/slurm");
        Path script;
        try (var s = Files.list(slurm)) {
            script = s.filter(f -> f.toString().endsWith(".sbatch")).findFirst().orElseThrow();
        }
        String text = Files.readString(script);
        Path runs = Path.of(script.toString().replace(".sbatch", ".runs"));
        assertEquals(4, Files.readAllLines(runs).size());
        for (String line : List.of("#SBATCH --job-name=qqt-cli", "#SBATCH --array=0-3%3",
                "#SBATCH --output=" + slurm + "/%A_%a.out", "#SBATCH --partition=gpu", "#SBATCH --gres=gpu:1",
                "#SBATCH --time=2:00:00", "#SBATCH --account=proj", "#SBATCH --cpus-per-task=8", "#SBATCH --mem=64G",
                "#SBATCH --qos=high", "module load java/17", "#SBATCH --constraint=a100", "export DJL_OFFLINE=true",
                "RUN_ID=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" '" + runs + "')",
                "exec '/opt/qqt/bin/qqt' sweep run-one --sweep-dir '" + dir.resolve("runs/cli") + "' --id \"$RUN_ID\"")) {
            assertTrue(text.contains(line), "missing: " + line + "\n" + text);
        }
        assertTrue(out.toString().startsWith("sweep cli: 4 runs") && out.toString().contains(text), out.toString());
        // the #SBATCH lines come before the first command, or sbatch ignores them
        assertTrue(text.lastIndexOf("#SBATCH") < text.indexOf("set -euo"), text);
        assertTrue(text.indexOf("module load java/17") > text.indexOf("set -euo"), text);
    }
}
