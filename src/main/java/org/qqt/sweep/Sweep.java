package org.qqt.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Operations on a planned sweep that read or change its runs' markers. */
public final class Sweep {
    private Sweep() {}

    /** Each run's state, in plan order; {@code queue} (run id → Slurm state) may be null or empty. */
    public static List<RunState> status(SweepPlan plan, Map<String, String> queue, int tailLines) {
        List<RunState> out = new ArrayList<>();
        for (RunSpec r : plan.runs()) {
            out.add(RunState.read(plan.runDir(r.id()), r.id(), queue == null ? null : queue.get(r.id()), tailLines));
        }
        return out;
    }

    /** The runs a {@code sweep run} should start: pending or interrupted (failed ones only with retryFailed). */
    public static List<RunSpec> toRun(SweepPlan plan, List<RunState> states, boolean retryFailed,
                                      Collection<String> only) {
        List<RunSpec> out = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            RunState s = states.get(i);
            boolean wanted = only == null || only.isEmpty() || only.contains(s.id());
            boolean startable = s.state() == RunState.State.pending || s.state() == RunState.State.interrupted
                    || (retryFailed && s.state() == RunState.State.failed);
            if (wanted && startable) {
                out.add(plan.runs().get(i));
            }
        }
        return out;
    }

    /** Removes the FAILED marker of each listed run (they become interrupted: resumable). */
    public static void clearFailed(SweepPlan plan, Collection<String> ids) {
        for (String id : ids) {
            plan.run(id);
            try {
                Files.deleteIfExists(plan.runDir(id).resolve(RunState.FAILED));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Counts per state. */
    public static Map<RunState.State, Integer> counts(List<RunState> states) {
        Map<RunState.State, Integer> m = new EnumMap<>(RunState.State.class);
        for (RunState.State s : RunState.State.values()) {
            m.put(s, 0);
        }
        states.forEach(s -> m.merge(s.state(), 1, Integer::sum));
        return m;
    }
}
