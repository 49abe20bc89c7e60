package org.qqt.sweep;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Starting a sweep's unfinished runs and waiting for them — what {@code qqt sweep run}/{@code retry} and
 * {@code qqt figure5}'s run steps share: write the run specs, read every run's state (with the Slurm queue, so a
 * queued run is not started twice), pick the runs to start, and run them locally or as one Slurm array job.
 */
public final class SweepExecution {
    private SweepExecution() {}

    /**
     * Where the runs go: the local executor's workers and threads (null = config, else the measured default;
     * {@code base} is where the config's relative paths resolve), or Slurm with its options and the launcher the
     * array tasks call.
     */
    public record Target(boolean slurm, Path base, Integer workers, Integer threads, SlurmOptions slurmOptions,
                         Path launcher) {}

    /** Every run's state in plan order, and the runs to start now. */
    public record Pending(List<RunState> states, List<RunSpec> todo) {}

    /**
     * Writes the specs and picks the runs to start: pending or interrupted ones (failed ones too with
     * {@code retryFailed}), only those in {@code only} unless it is empty.
     */
    public static Pending pending(SweepPlan plan, SlurmExecutor slurm, boolean retryFailed,
                                  Collection<String> only) {
        plan.writeSpecs();
        Map<String, String> queue = slurm.queue(plan.sweepDir());
        List<RunState> states = Sweep.status(plan, queue, 0);
        return new Pending(states, Sweep.toRun(plan, states, retryFailed, only));
    }

    /**
     * Runs {@code todo} on the local executor (its description goes to {@code describe}); every started run is
     * stopped, to resume later, when the JVM is asked to exit meanwhile.
     */
    public static Map<String, RunRunner.Outcome> runLocal(SweepConfig c, Target target, SweepPlan plan,
                                                          List<RunSpec> todo, Consumer<String> describe,
                                                          BiConsumer<RunSpec, RunRunner.Outcome> onFinish) {
        LocalExecutor ex = LocalExecutor.of(c, target.base(), target.workers(), target.threads(), new RunRunner());
        describe.accept(ex.describe());
        return ex.runStoppable(plan, todo, onFinish);
    }

    /** Submits {@code todo} as one Slurm array job (a dry run writes the script only); returns the job id. */
    public static String submit(SlurmExecutor slurm, Target target, SweepPlan plan, List<RunSpec> todo,
                                boolean dryRun) {
        return slurm.submit(plan, todo, target.launcher(), target.slurmOptions(), dryRun);
    }

    /** Waits until {@code job} and every queued run among {@code ids} (from earlier submissions) left the queue. */
    public static void await(SlurmExecutor slurm, SweepPlan plan, String job, Collection<String> ids)
            throws InterruptedException {
        if (job != null) {
            slurm.await(job, plan.sweepDir(), 0, 5000);
        }
        while (slurm.queue(plan.sweepDir()).keySet().stream().anyMatch(ids::contains)) {
            Thread.sleep(5000);
        }
    }
}
