package org.qqt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalExecutorTest {
    @TempDir
    Path dir;

    private SweepPlan plan(int buckets) throws IOException {
        Path stage = Fixtures.stageScript(dir, 2, 0);
        Path cfg = Fixtures.config(dir, "loc", buckets, stage, "");
        SweepPlan p = SweepPlan.of(SweepConfig.load(cfg), dir, Path.of("qqt"));
        p.writeSpecs();
        return p;
    }

    private static Map<String, RunRunner.Outcome> runAll(SweepPlan p, int workers, boolean retryFailed) {
        List<RunSpec> todo = Sweep.toRun(p, Sweep.status(p, null, 0), retryFailed, null);
        return new LocalExecutor(workers, 1, new RunRunner()).run(p, todo, (r, o) -> { });
    }

    @Test
    void finishedRunsAreSkippedWhenTheSweepRunsAgain() throws IOException {
        SweepPlan p = plan(3);
        Map<String, RunRunner.Outcome> first = runAll(p, 2, false);
        assertEquals(3, first.size());
        assertTrue(first.values().stream().allMatch(o -> o == RunRunner.Outcome.done), first.toString());
        assertTrue(Sweep.status(p, null, 0).stream().allMatch(s -> s.state() == RunState.State.done));
        assertEquals(0, runAll(p, 2, false).size(), "nothing left to run");
        // even a direct re-run of a finished run does nothing
        RunSpec r = p.runs().get(0);
        assertEquals(RunRunner.Outcome.alreadyDone, new RunRunner().run(p.runDir(r.id()), r, 1, Map.of()));
        List<String> lines = Fixtures.counter(dir);
        for (RunSpec s : p.runs()) {
            assertEquals(1, Fixtures.count(lines, "train " + s.id()));
            assertEquals(1, Fixtures.count(lines, "eval " + s.id()));
            assertEquals(1, Fixtures.count(lines, "step 2 " + s.id()));
        }
        assertTrue(Files.readString(p.runDir(p.runs().get(0).id()).resolve("log.txt")).contains("threads 1"));
    }

    @Test
    void failedRunIsReportedWithItsLogTailAndRetriedAlone() throws IOException {
        SweepPlan p = plan(3);
        RunSpec bad = p.runs().get(1);
        Path failFlag = p.sweepDir().resolve("fail-eval-" + bad.id());
        Files.createDirectories(p.sweepDir());
        Files.writeString(failFlag, "");
        Map<String, RunRunner.Outcome> first = runAll(p, 1, false);
        assertEquals(RunRunner.Outcome.failed, first.get(bad.id()));
        RunState s = RunState.read(p.runDir(bad.id()), bad.id(), null, 5);
        assertEquals(RunState.State.failed, s.state());
        assertEquals("stage eval exited with 3", s.detail());
        assertTrue(s.logTail().stream().anyMatch(l -> l.contains("something broke in eval: bad input 42")),
                s.logTail().toString());
        // a plain re-run leaves the failed run alone
        assertEquals(0, runAll(p, 1, false).size());
        // retry: clear its marker, fix the cause, run only it; its finished train stage is not redone
        Files.delete(failFlag);
        Sweep.clearFailed(p, List.of(bad.id()));
        List<RunSpec> todo = Sweep.toRun(p, Sweep.status(p, null, 0), false, List.of(bad.id()));
        assertEquals(List.of(bad), todo);
        assertEquals(RunRunner.Outcome.done,
                new LocalExecutor(1, 1, new RunRunner()).run(p, todo, (r, o) -> { }).get(bad.id()));
        List<String> lines = Fixtures.counter(dir);
        assertEquals(1, Fixtures.count(lines, "train " + bad.id()));
        assertEquals(1, Fixtures.count(lines, "eval " + bad.id()));
        assertTrue(Sweep.status(p, null, 0).stream().allMatch(x -> x.state() == RunState.State.done));
    }

    @Test
    void killedRunIsInterruptedNotFailedAndResumes() throws IOException {
        SweepPlan p = plan(2);
        RunSpec r = p.runs().get(0);
        Files.createDirectories(p.sweepDir());
        Files.writeString(p.sweepDir().resolve("kill-eval-" + r.id()), ""); // SIGKILL during eval, once
        Map<String, RunRunner.Outcome> first = runAll(p, 1, false);
        assertEquals(RunRunner.Outcome.interrupted, first.get(r.id()));
        RunState s = RunState.read(p.runDir(r.id()), r.id(), null, 5);
        assertEquals(RunState.State.interrupted, s.state());
        assertTrue(Files.notExists(p.runDir(r.id()).resolve(RunState.FAILED)));
        Map<String, RunRunner.Outcome> second = runAll(p, 1, false);
        assertEquals(Map.of(r.id(), RunRunner.Outcome.done), second);
        List<String> lines = Fixtures.counter(dir);
        assertEquals(1, Fixtures.count(lines, "train " + r.id()), "the finished train stage is not redone");
        assertEquals(1, Fixtures.count(lines, "eval " + r.id()));
    }

    @Test
    void runIsRunningWhileItsLockIsHeld() throws Exception {
        SweepPlan p = plan(1);
        RunSpec r = p.runs().get(0);
        Path runDir = p.runDir(r.id());
        Files.createDirectories(runDir);
        try (var ch = java.nio.channels.FileChannel.open(runDir.resolve(RunState.LOCK),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             var lock = ch.lock()) {
            assertEquals(RunState.State.running, RunState.read(runDir, r.id(), null, 0).state());
            assertEquals(RunRunner.Outcome.busy, new RunRunner().run(runDir, r, 1, Map.of()));
        }
        assertEquals(RunState.State.pending, RunState.read(runDir, r.id(), null, 0).state());
        assertEquals(RunState.State.queued, RunState.read(runDir, r.id(), "PENDING", 0).state());
        assertEquals(RunState.State.running, RunState.read(runDir, r.id(), "RUNNING", 0).state());
    }

    @Test
    void aStoppedRunnerStartsNoStage() throws IOException {
        SweepPlan p = plan(2);
        RunRunner runner = new RunRunner();
        runner.stopAll(); // as the shutdown hook does on SIGTERM / Ctrl-C
        Map<String, RunRunner.Outcome> res = new LocalExecutor(2, 1, runner).run(p, p.runs(), (r, o) -> { });
        assertTrue(res.values().stream().allMatch(o -> o == RunRunner.Outcome.interrupted), res.toString());
        assertEquals(List.of(), Fixtures.counter(dir));
        assertTrue(Sweep.status(p, null, 0).stream().noneMatch(x -> x.state() == RunState.State.failed));
    }

    @Test
    void threadsDefaultToCoresOverWorkers() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(Math.max(1, cores / 2), new LocalExecutor(2, 0, new RunRunner()).threads());
        assertEquals(cores, new LocalExecutor(1, 0, new RunRunner()).threads());
        assertEquals(3, new LocalExecutor(1, 3, new RunRunner()).threads());
    }
}
