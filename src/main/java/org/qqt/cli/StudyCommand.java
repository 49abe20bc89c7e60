package org.qqt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.qqt.eval.TaskSuite;
import org.qqt.io.AtomicFiles;
import org.qqt.io.BadInputException;
import org.qqt.io.SampleCount;
import org.qqt.sweep.Crossover;
import org.qqt.sweep.Learnability;
import org.qqt.sweep.LearnabilityConfig;
import org.qqt.sweep.LocalExecutor;
import org.qqt.sweep.RunRunner;
import org.qqt.sweep.RunSpec;
import org.qqt.sweep.RunState;
import org.qqt.sweep.RunTimes;
import org.qqt.sweep.Sweep;
import org.qqt.sweep.SweepConfig;
import org.qqt.sweep.SweepPlan;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt study}: the learnability and crossover studies of a sweep config (docs/sweeps.md, "Studies"). */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = "Studies on a sweep config: per-task learning curves (learnability) and the mixtures x "
                + "budgets table of the validation runs (crossover).",
        subcommands = {StudyCommand.LearnabilityStudy.class, StudyCommand.CrossoverStudy.class},
        footer = {"", "Examples:", "  qqt study learnability --config configs/study-example.yaml --workers 2 --threads 1",
                "  qqt study crossover --config configs/study-example.yaml --workers 2 --threads 1 --metric mean"})
final class StudyCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** --config and --qqt, shared by the studies. */
    static final class ConfigOption {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "Sweep config (.yaml or .json).")
        Path config;

        @Option(names = "--qqt", paramLabel = "PATH",
                description = "qqt launcher the runs call (default: the config's \"qqt\", else this install's bin/qqt).")
        Path qqt;

        SweepCommand.ConfigArg arg() {
            SweepCommand.ConfigArg a = new SweepCommand.ConfigArg();
            a.config = config;
            a.qqt = qqt;
            return a;
        }
    }

    @Command(name = "learnability", mixinStandardHelpOptions = true,
            description = {"Per-task zero-shot learning curves: each learnability set x seed is trained ONCE to "
                    + "samples_seen (one cosine schedule) keeping checkpoints at eval_at, and each checkpoint is "
                    + "evaluated; the curve's points are checkpoints of that one run, not runs trained to each budget.",
                    "Writes <runs>/<sweep>/learnability.csv and learnability.md; finished runs and evaluations are "
                            + "skipped, killed ones resume."})
    static final class LearnabilityStudy implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigOption cfg;

        @Option(names = "--workers", description = "Runs side by side (default: config local.workers, else the "
                + "measured default split, docs/sweeps.md).")
        Integer workers;

        @Option(names = "--threads", description = "Threads per run (default: config local.threads, else cores / "
                + "workers; with neither workers nor threads given, the measured default split).")
        Integer threads;

        @Option(names = "--retry-failed", description = "Also re-run failed runs.")
        boolean retryFailed;

        @Option(names = "--dry-run", description = "Print the runs and their state; start nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            SweepConfig c = cfg.arg().load();
            if (c.learnability() == null) {
                throw BadInputException.inFile(cfg.config, "no \"learnability\" section (see docs/sweeps.md, Studies)");
            }
            LearnabilityConfig l = c.learnability();
            SweepPlan plan = Learnability.plan(c, Path.of("").toAbsolutePath(), cfg.arg().launcherOf(c));
            PrintWriter out = spec.commandLine().getOut();
            out.printf("learnability %s: %d sets x %d seeds, each trained once to %s samples (one cosine run), "
                            + "evaluated at checkpoints %s%n", c.name(), l.sets().size(), l.seedsOr(c).size(),
                    SampleCount.format(l.budget()), l.evalCounts().stream().map(SampleCount::format).toList());
            if (dryRun) {
                printPlan(out, plan);
                return 0;
            }
            Learnability.checkFinishedRuns(plan);
            Learnability.prepare(c, plan);
            int code = runLocal(out, plan, LocalExecutor.of(c, Path.of("").toAbsolutePath(), workers, threads, new RunRunner()), retryFailed);
            Path root = Path.of(c.tasksRoot());
            Map<String, Learnability.TaskInfo> tasks = Learnability.tasks(TaskSuite.load(Path.of(l.suiteOr(c))), root);
            List<String> missing = new ArrayList<>();
            List<Learnability.Row> rows = Learnability.rows(c, plan, tasks, missing);
            Learnability.Table table = Learnability.table(rows, l.sets(), tasks, l.evalCounts());
            Path sweepDir = plan.sweepDir().getParent();
            String md = "# Learnability study: " + c.name() + "\n\n" + table.markdown() + "\n"
                    + RunTimes.of(plan.runs().stream().map(r -> plan.runDir(r.id())).toList()).describe() + "\n";
            AtomicFiles.writeString(sweepDir.resolve("learnability.csv"), Learnability.csv(rows));
            AtomicFiles.writeString(sweepDir.resolve("learnability.md"), md);
            out.print(md);
            if (!missing.isEmpty()) {
                out.println("missing " + missing.size() + " results (runs not finished or not evaluated), e.g. "
                        + missing.get(0));
            }
            out.println("wrote " + sweepDir.resolve("learnability.csv") + " and learnability.md");
            out.flush();
            return code != 0 || !missing.isEmpty() ? 1 : 0;
        }
    }

    @Command(name = "crossover", mixinStandardHelpOptions = true,
            description = {"The sweep's validation runs (mixtures x budgets x seeds; the runs and ids of qqt sweep plan, "
                    + "reused by qqt figure5): runs those not done, then prints mean error +- standard error over "
                    + "seeds per mixture x budget and the winner of each budget with its margin.",
                    "Writes <runs>/<sweep>/crossover.csv and crossover.md."})
    static final class CrossoverStudy implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigOption cfg;

        @Mixin
        SweepCommand.ExecOptions exec;

        @Option(names = "--metric", defaultValue = "mean", description = "mean (default: mean error over every task "
                + "in eval_results.jsonl), avg18, imagenet1k, any task key, soft_mean or soft:TASK.")
        String metric;

        @Override
        public Integer call() throws InterruptedException {
            SweepCommand.ConfigArg arg = cfg.arg();
            SweepConfig c = arg.load();
            if (c.validation() == null) {
                throw BadInputException.inFile(cfg.config, "no \"validation\" section: the crossover study runs the "
                        + "validation mixtures x budgets (see docs/sweeps.md)");
            }
            SweepPlan plan = arg.plan(c);
            List<RunSpec> runs = Crossover.runs(plan);
            PrintWriter out = spec.commandLine().getOut();
            if (exec.dryRun) {
                printPlan(out, new SweepPlan(plan.name(), plan.sweepDir(), runs));
                if (exec.executor != SweepCommand.Executor.slurm) {
                    return 0;
                }
            }
            int code = SweepCommand.execute(out, arg, exec, false, runs.stream().map(RunSpec::id).toList());
            if (exec.dryRun) {
                return code;
            }
            List<String> missing = new ArrayList<>();
            List<Crossover.Point> points = Crossover.points(plan, metric, missing);
            List<Double> budgets = c.validation().budgets().stream().map(SampleCount::parse).distinct().toList();
            Crossover.Table table = Crossover.table(points, c.validation().mixtures(), budgets, metric);
            String md = "# Crossover study: " + c.name() + "\n\nSeeds " + c.seedsOrDefault() + ". "
                    + table.markdown() + "\n"
                    + RunTimes.of(runs.stream().map(r -> plan.runDir(r.id())).toList()).describe() + "\n";
            AtomicFiles.writeString(plan.sweepDir().resolve("crossover.csv"), table.csv());
            AtomicFiles.writeString(plan.sweepDir().resolve("crossover.md"), md);
            out.print(md);
            if (!missing.isEmpty()) {
                out.println("not done or not evaluated: " + missing.size() + " runs, e.g. " + missing.get(0)
                        + " (qqt sweep status " + cfg.config + ")");
            }
            out.println("wrote " + plan.sweepDir().resolve("crossover.csv") + " and crossover.md");
            out.flush();
            return code != 0 || !missing.isEmpty() ? 1 : 0;
        }
    }

    static void printPlan(PrintWriter out, SweepPlan plan) {
        List<RunState> states = Sweep.status(plan, null, 0);
        out.printf("%-36s %-14s %9s %4s  %s%n", "id", "set", "samples", "seed", "state");
        for (int i = 0; i < states.size(); i++) {
            RunSpec r = plan.runs().get(i);
            out.printf("%-36s %-14s %9s %4d  %s%n", r.id(), r.poolName(), SampleCount.format(r.samplesSeen()),
                    r.seed(), states.get(i).state());
        }
        out.println(plan.runs().size() + " runs in " + plan.sweepDir());
        out.flush();
    }

    /** Runs the plan's pending and interrupted runs (failed ones with retryFailed) locally; 0 when all are done. */
    static int runLocal(PrintWriter out, SweepPlan plan, LocalExecutor ex, boolean retryFailed) {
        plan.writeSpecs();
        List<RunState> states = Sweep.status(plan, null, 0);
        List<RunSpec> todo = Sweep.toRun(plan, states, retryFailed, null);
        var counts = Sweep.counts(states);
        out.printf("%d runs (%d done, %d running, %d failed); starting %d%n", plan.runs().size(),
                counts.get(RunState.State.done), counts.get(RunState.State.running), counts.get(RunState.State.failed),
                todo.size());
        out.flush();
        if (todo.isEmpty()) {
            return counts.get(RunState.State.done) == plan.runs().size() ? 0 : 1;
        }
        out.println(ex.describe());
        out.flush();
        Map<String, RunRunner.Outcome> res = ex.runStoppable(plan, todo,
                (r, o) -> SweepCommand.printOutcome(out, plan, r, o));
        boolean allDone = Sweep.status(plan, null, 0).stream().allMatch(s -> s.state() == RunState.State.done);
        return allDone && res.size() == todo.size() ? 0 : 1;
    }
}
