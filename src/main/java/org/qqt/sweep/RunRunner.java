package org.qqt.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.qqt.io.AtomicFiles;
import org.qqt.io.Json;

/**
 * Executes one run: holds its lock, runs its stages in order (each stage's output appended to {@code log.txt}),
 * skips stages that already succeeded ({@code .stage-<name>.done}), and leaves exactly one outcome on disk:
 * {@code DONE}, {@code FAILED} (a stage exited with a code ≤ 128), or nothing (the run was killed: a stage died
 * of a signal, exit code > 128, or this process is shutting down — the next {@code sweep run} resumes it).
 * Stages must be idempotent themselves ({@code qqt train} resumes from its checkpoint).
 */
public final class RunRunner {

    public enum Outcome { done, alreadyDone, failed, interrupted, busy }

    /** Exit code reported for a stage not started because the runner is stopping (as if killed by SIGTERM). */
    private static final int STOPPED = 143;

    private final Set<Process> live = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    /**
     * Stops every stage process this runner started and starts no more (for a shutdown hook): once this returns,
     * no stage can start, so none outlives the JVM.
     */
    public void stopAll() {
        List<Process> snapshot;
        synchronized (live) {
            stopping = true;
            snapshot = List.copyOf(live);
        }
        for (Process p : snapshot) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
    }

    /** Runs {@code spec} in {@code runDir} with {@code threads} threads per stage. */
    public Outcome run(Path runDir, RunSpec spec, int threads, Map<String, String> marker) {
        try {
            Files.createDirectories(runDir);
            try (FileChannel ch = FileChannel.open(runDir.resolve(RunState.LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (java.nio.channels.OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    return Outcome.busy;
                }
                try {
                    return runLocked(runDir, spec, threads, marker);
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("run " + spec.id() + ": " + e.getMessage(), e);
        }
    }

    private Outcome runLocked(Path runDir, RunSpec spec, int threads, Map<String, String> marker) throws IOException {
        if (Files.isRegularFile(runDir.resolve(RunState.DONE))) {
            return Outcome.alreadyDone;
        }
        if (stopping) {
            return Outcome.interrupted;
        }
        Files.deleteIfExists(runDir.resolve(RunState.FAILED));
        if (marker != null && !marker.isEmpty()) {
            Map<String, Object> m = new LinkedHashMap<>(marker);
            m.put("started", Instant.now().toString());
            Json.write(runDir.resolve(RunState.SLURM), m);
        }
        Path log = runDir.resolve(RunState.LOG);
        List<List<String>> commands = spec.commands(threads);
        for (int i = 0; i < commands.size(); i++) {
            String stage = spec.stages().get(i).name();
            Path stageDone = runDir.resolve(".stage-" + stage + ".done");
            if (Files.isRegularFile(stageDone)) {
                continue;
            }
            append(log, "== qqt sweep: " + Instant.now() + " stage " + stage + ": " + String.join(" ", commands.get(i)));
            int code;
            try {
                code = exec(commands.get(i), runDir, log, threads);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                append(log, "== qqt sweep: stage " + stage + " interrupted (the run resumes next time)");
                return Outcome.interrupted;
            }
            if (code != 0) {
                if (code > 128 || stopping) {
                    append(log, "== qqt sweep: stage " + stage + " killed (exit " + code + "); the run resumes next time");
                    return Outcome.interrupted;
                }
                append(log, "== qqt sweep: stage " + stage + " FAILED with exit code " + code);
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("stage", stage);
                f.put("exit_code", code);
                f.put("time", Instant.now().toString());
                Json.write(runDir.resolve(RunState.FAILED), f);
                return Outcome.failed;
            }
            AtomicFiles.writeString(stageDone, Instant.now() + "\n");
        }
        append(log, "== qqt sweep: " + Instant.now() + " run done");
        AtomicFiles.writeString(runDir.resolve(RunState.DONE), Instant.now() + "\n");
        return Outcome.done;
    }

    /** A run's process: stderr into stdout, DJL offline, {@code threads} OpenMP threads. */
    static ProcessBuilder processBuilder(List<String> command, int threads) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        return pb;
    }

    private int exec(List<String> command, Path runDir, Path log, int threads) throws IOException, InterruptedException {
        ProcessBuilder pb = processBuilder(command, threads).directory(runDir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p;
        synchronized (live) {
            if (stopping) {
                return STOPPED;
            }
            try {
                p = pb.start();
            } catch (IOException e) {
                append(log, "== qqt sweep: cannot start " + command.get(0) + ": " + e.getMessage());
                return 127;
            }
            live.add(p);
        }
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            throw e;
        } finally {
            live.remove(p);
        }
    }

    private static void append(Path log, String line) throws IOException {
        Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
