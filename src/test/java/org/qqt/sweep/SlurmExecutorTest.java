package org.qqt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real single-node Slurm (slurm-wlm + munge on localhost, started idempotently by
 * .ci/slurm-local.sh start): a sweep is one sbatch --array job; cancelling it mid-way and submitting again
 * finishes the sweep without redoing finished runs or finished (checkpointed) steps.
 */
@Tag("slow")
@Tag("slurm")
class SlurmExecutorTest {
    private static Map<String, String> env;

    @TempDir
    Path dir;

    private static final boolean HAS_SBATCH = List.of(System.getenv().getOrDefault("PATH", "")
            .split(File.pathSeparator)).stream().anyMatch(d -> Files.isExecutable(Path.of(d, "sbatch")));

    @BeforeAll
    static void startSlurm() throws Exception {
        if (!HAS_SBATCH) {
            return;
        }
        Process p = new ProcessBuilder("bash", ".ci/slurm-local.sh", "start").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), ".ci/slurm-local.sh start failed:\n" + out);
        String conf = out.lines().filter(l -> l.startsWith("export SLURM_CONF=")).findFirst()
                .orElseThrow(() -> new AssertionError("no SLURM_CONF in:\n" + out)).substring("export SLURM_CONF=".length());
        env = Map.of("SLURM_CONF", conf);
    }

    @BeforeEach
    void needsSlurm() {
        assumeTrue(HAS_SBATCH, "skipped: no sbatch on PATH (apt-get install slurm-wlm slurmctld slurmd "
                + "slurm-client munge; the test starts a local Slurm with .ci/slurm-local.sh start)");
    }

    /** A launcher that runs this test's classpath (the real qqt CLI: sweep run-one), like bin/qqt does. */
    private Path launcher() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "#!/bin/sh\nexec " + SlurmExecutor.quote(java) + " -Xmx256m -XX:TieredStopAtLevel=1 -cp "
                + SlurmExecutor.quote(System.getProperty("java.class.path")) + " org.qqt.cli.Qqt \"$@\"\n";
        Path f = dir.resolve("qqt");
        Files.writeString(f, script);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    private static final SlurmOptions OPTS = new SlurmOptions(null, null, "00:05:00", null, 1, "200M", 2,
            List.of("--comment=qqt-test", "# a verbatim comment line"));

    private static Set<RunState.State> states(List<RunState> s) {
        return s.stream().map(RunState::state).collect(Collectors.toSet());
    }

    @Test
    void sweepRunsAsOneJobArrayAndEveryRunFinishes() throws Exception {
        Path stage = Fixtures.stageScript(dir, 1, 0.2);
        SweepPlan p = SweepPlan.of(SweepConfig.load(Fixtures.config(dir, "it1", 4, stage, "")), dir, launcher());
        p.writeSpecs();
        SlurmExecutor slurm = new SlurmExecutor(env);
        List<RunSpec> todo = Sweep.toRun(p, Sweep.status(p, slurm.queue(p.sweepDir()), 0), false, null);
        assertEquals(4, todo.size());
        String job = slurm.submit(p, todo, launcher(), OPTS, false);
        assertTrue(slurm.await(job, p.sweepDir(), 90_000, 500), "array job " + job + " still queued after 90 s");
        List<RunState> after = Sweep.status(p, slurm.queue(p.sweepDir()), 20);
        assertEquals(Set.of(RunState.State.done), states(after), after.toString());
        List<String> lines = Fixtures.counter(dir);
        for (RunSpec r : p.runs()) {
            assertEquals(1, Fixtures.count(lines, "train " + r.id()));
            assertEquals(1, Fixtures.count(lines, "eval " + r.id()));
            String marker = Files.readString(p.runDir(r.id()).resolve(RunState.SLURM));
            assertTrue(marker.contains("\"slurm_job\" : \"" + job + "_"), marker);
        }
        assertTrue(Files.list(p.sweepDir().resolve("slurm")).anyMatch(f -> f.getFileName().toString()
                .startsWith(job + "_")), "Slurm output files slurm/%A_%a.out");
        assertEquals(0, Sweep.toRun(p, after, false, null).size(), "a second sweep run would submit nothing");
    }

    @Test
    void cancelledSweepResumesWithoutRedoingFinishedWork() throws Exception {
        Path stage = Fixtures.stageScript(dir, 6, 1);
        SweepPlan p = SweepPlan.of(SweepConfig.load(Fixtures.config(dir, "it2", 4, stage, "")), dir, launcher());
        p.writeSpecs();
        SlurmExecutor slurm = new SlurmExecutor(env);
        String job = slurm.submit(p, p.runs(), launcher(), OPTS, false);
        // wait for a finished run and a half-trained one (a checkpoint, no DONE), checking that squeue maps
        // array tasks back to runs meanwhile
        boolean sawQueue = false;
        long end = System.nanoTime() + 90_000_000_000L;
        List<RunState> s;
        while (true) {
            s = Sweep.status(p, slurm.queue(p.sweepDir()), 0);
            sawQueue |= s.stream().anyMatch(x -> x.detail().startsWith("slurm "));
            boolean halfTrained = s.stream().anyMatch(x -> halfTrained(p, x));
            if ((states(s).contains(RunState.State.done) && halfTrained) || System.nanoTime() > end) {
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(states(s).contains(RunState.State.done), "no run finished within 90 s: " + s);
        List<String> halfTrained = s.stream().filter(x -> halfTrained(p, x)).map(RunState::id).toList();
        assertTrue(sawQueue, "squeue never showed a run of the array");
        slurm.cancel(job, p.sweepDir());
        assertTrue(slurm.await(job, p.sweepDir(), 60_000, 200), "job " + job + " still in squeue after scancel");
        List<RunState> cancelled = Sweep.status(p, slurm.queue(p.sweepDir()), 10);
        Set<String> doneBefore = cancelled.stream().filter(x -> x.state() == RunState.State.done).map(RunState::id)
                .collect(Collectors.toSet());
        assertTrue(doneBefore.size() < 4, "cancelled too late to test anything: " + cancelled);
        assertFalse(states(cancelled).contains(RunState.State.failed), "a killed run is not a failed run: " + cancelled);
        for (RunState x : cancelled) {
            if (halfTrained.contains(x.id()) && !doneBefore.contains(x.id())) {
                assertEquals(RunState.State.interrupted, x.state(), x.toString());
            }
        }
        List<String> linesBefore = Fixtures.counter(dir);

        // sweep run again: only the unfinished runs are submitted, and they finish
        List<RunSpec> todo = Sweep.toRun(p, cancelled, false, null);
        assertEquals(4 - doneBefore.size(), todo.size());
        assertTrue(todo.stream().noneMatch(r -> doneBefore.contains(r.id())));
        String job2 = slurm.submit(p, todo, launcher(), OPTS, false);
        assertTrue(slurm.await(job2, p.sweepDir(), 90_000, 500), "array job " + job2 + " still queued after 90 s");
        List<RunState> after = Sweep.status(p, slurm.queue(p.sweepDir()), 20);
        assertEquals(Set.of(RunState.State.done), states(after), after.toString());
        List<String> lines = Fixtures.counter(dir);
        assertEquals(linesBefore, lines.subList(0, linesBefore.size()), "the counter only grows");
        assertTrue(halfTrained.stream().anyMatch(id -> !doneBefore.contains(id)),
                "no run was cancelled after a checkpoint: " + halfTrained + " " + doneBefore);
        for (RunSpec r : p.runs()) {
            assertEquals(1, Fixtures.count(lines, "train " + r.id()), r.id() + " train finished once: " + lines);
            assertEquals(1, Fixtures.count(lines, "eval " + r.id()), r.id());
            for (int i = 1; i <= 4; i++) {
                assertEquals(1, Fixtures.count(lines, "step " + i + " " + r.id()),
                        "checkpointed step " + i + " of " + r.id() + " done exactly once: " + lines);
            }
        }
    }

    /**
     * Checkpointed but with at least 3 of its 6 one-second steps to go: scancel (which takes up to a second or
     * two to reach the job) lands before it finishes, so the test does not race the run.
     */
    private static boolean halfTrained(SweepPlan p, RunState x) {
        Path run = p.runDir(x.id());
        return x.state() != RunState.State.done && Files.exists(run.resolve("ckpt_1"))
                && !Files.exists(run.resolve("ckpt_4"));
    }
}
