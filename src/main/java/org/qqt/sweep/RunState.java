package org.qqt.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.qqt.io.Json;

/**
 * The state of one run, read only from the files in its directory (plus the scheduler's queue, when given):
 * <ul>
 *   <li>{@code DONE}: written after the last stage succeeded → <b>done</b> (never run again);
 *   <li>{@code .lock} held by a live process (a FileChannel lock) → <b>running</b>; a Slurm array task of this run
 *       in squeue → <b>running</b> or <b>queued</b>;
 *   <li>{@code FAILED} ({"stage", "exit_code", "time"}) → <b>failed</b> (not re-run until {@code qqt sweep retry});
 *   <li>{@code log.txt} without DONE or FAILED → <b>interrupted</b> (killed or preempted: resumes on the next run);
 *   <li>otherwise → <b>pending</b>.
 * </ul>
 */
public record RunState(String id, State state, String detail, List<String> logTail) {

    public enum State { done, running, queued, failed, interrupted, pending }

    public static final String SPEC = "sweep-run.json";
    public static final String DONE = "DONE";
    public static final String FAILED = "FAILED";
    public static final String LOG = "log.txt";
    public static final String LOCK = ".lock";
    public static final String SLURM = "slurm.json";

    /** Reads a run's state; {@code queue} is the scheduler's state for this run ("RUNNING", "PENDING"), or null. */
    public static RunState read(Path runDir, String id, String queue, int tailLines) {
        if (Files.isRegularFile(runDir.resolve(DONE))) {
            return new RunState(id, State.done, "", List.of());
        }
        if (isLocked(runDir)) {
            return new RunState(id, State.running, "lock held", List.of());
        }
        if (queue != null) {
            boolean pendingInQueue = queue.equals("PENDING") || queue.equals("CONFIGURING");
            return new RunState(id, pendingInQueue ? State.queued : State.running, "slurm " + queue, List.of());
        }
        if (Files.isRegularFile(runDir.resolve(FAILED))) {
            JsonNode f = Json.readTree(runDir.resolve(FAILED));
            return new RunState(id, State.failed, "stage " + f.path("stage").asText() + " exited with "
                    + f.path("exit_code").asInt(), tail(runDir.resolve(LOG), tailLines));
        }
        if (Files.isRegularFile(runDir.resolve(LOG))) {
            return new RunState(id, State.interrupted, "started, not finished: resumes on the next run",
                    tail(runDir.resolve(LOG), tailLines));
        }
        return new RunState(id, State.pending, "", List.of());
    }

    /** True when another process (or another thread of this one) holds the run's lock. */
    static boolean isLocked(Path runDir) {
        Path lock = runDir.resolve(LOCK);
        if (!Files.isRegularFile(lock)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The last {@code n} lines of a log file (empty when there is none). */
    static List<String> tail(Path log, int n) {
        if (n <= 0 || !Files.isRegularFile(log)) {
            return List.of();
        }
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return new ArrayList<>(lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (java.nio.charset.MalformedInputException e) {
            return List.of("(log is not UTF-8)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
