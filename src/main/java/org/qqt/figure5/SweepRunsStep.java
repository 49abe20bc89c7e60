package org.qqt.figure5;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.BadInputException;
import org.qqt.sweep.RunSpec;
import org.qqt.sweep.RunState;
import org.qqt.sweep.SlurmExecutor;
import org.qqt.sweep.Sweep;
import org.qqt.sweep.SweepExecution;

/**
 * bucket-runs / validation-runs: train and evaluate every planned run of one kind that is not done, on the local
 * or Slurm executor — the same execution as qqt sweep run ({@link SweepExecution}), failed runs retried.
 */
final class SweepRunsStep extends Figure5Step {
    private final String kind;

    /** {@code kind}: "bucket" or "validation". */
    SweepRunsStep(Figure5Context ctx, String kind) {
        super(kind + "-runs", ctx);
        this.kind = kind;
    }

    @Override
    String skipReason() {
        return ctx.allDone(kind) ? "all " + ctx.runsOf(kind).size() + " " + kind + " runs are done" : null;
    }

    @Override
    void run() {
        ctx.sweepVocabulary();
        SweepExecution.Target target = ctx.options.target();
        SlurmExecutor slurm = new SlurmExecutor(Map.of());
        List<String> ids = ctx.runsOf(kind).stream().map(RunSpec::id).toList();
        List<RunSpec> todo = SweepExecution.pending(ctx.plan, slurm, true, ids).todo();
        ctx.out.printf(Locale.ROOT, "  %d %s runs, %d to run (%s executor)%n", ids.size(), kind, todo.size(),
                target.slurm() ? "slurm" : "local");
        ctx.out.flush();
        try {
            if (target.slurm()) {
                String job = null;
                if (!todo.isEmpty()) {
                    job = SweepExecution.submit(slurm, target, ctx.plan, todo, false);
                    ctx.out.println("  submitted Slurm job array " + job + "; waiting (logs in "
                            + ctx.dir.resolve("slurm") + ")");
                    ctx.out.flush();
                }
                SweepExecution.await(slurm, ctx.plan, job, ids); // also runs queued by an earlier invocation
            } else {
                long start = System.nanoTime();
                SweepExecution.runLocal(ctx.sweep, target, ctx.plan, todo, line -> ctx.out.println("  " + line),
                        (run, outcome) -> {
                            synchronized (ctx.out) {
                                ctx.out.printf(Locale.ROOT, "  [%6.1fs] %s %s%n", (System.nanoTime() - start) / 1e9,
                                        outcome, run.id());
                                ctx.out.flush();
                            }
                        });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the " + kind + " runs", e);
        }
        List<RunState> notDone = Sweep.status(ctx.plan, slurm.queue(ctx.dir), 10).stream()
                .filter(st -> ids.contains(st.id()) && st.state() != RunState.State.done).toList();
        if (!notDone.isEmpty()) {
            RunState first = notDone.get(0);
            throw new BadInputException(notDone.size() + " " + kind + " run(s) did not finish, e.g. " + first.id()
                    + " (" + first.state() + (first.detail().isEmpty() ? "" : ": " + first.detail()) + "; log "
                    + ctx.plan.runDir(first.id()).resolve(RunState.LOG) + (first.logTail().isEmpty() ? "" : " ends: "
                    + first.logTail().get(first.logTail().size() - 1)) + "); fix it and run qqt figure5 again");
        }
    }
}
