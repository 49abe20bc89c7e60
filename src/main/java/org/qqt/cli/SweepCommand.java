package org.qqt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.sweep.Launcher;
import org.qqt.sweep.RunRunner;
import org.qqt.sweep.RunSpec;
import org.qqt.sweep.RunState;
import org.qqt.sweep.SlurmExecutor;
import org.qqt.sweep.SlurmOptions;
import org.qqt.sweep.Sweep;
import org.qqt.sweep.SweepConfig;
import org.qqt.sweep.SweepExecution;
import org.qqt.sweep.SweepPlan;
import org.qqt.sweep.SweepVocabulary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code qqt sweep}: plan, run, watch and retry the train+eval runs of a sweep config. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Many train+eval runs from one config, locally or as one Slurm job array (docs/sweeps.md).",
        subcommands = {SweepCommand.Plan.class, SweepCommand.Run.class, SweepCommand.Status.class,
                SweepCommand.Retry.class, SweepCommand.RunOne.class},
        footer = {"", "Example:", "  qqt sweep plan configs/sweep-example.yaml",
                "  qqt sweep run configs/sweep-example.yaml --workers 2 --threads 1",
                "  qqt sweep run configs/sweep-example.yaml --executor slurm --partition gpu --gpus 1 --wait",
                "  qqt sweep status configs/sweep-example.yaml"})
final class SweepCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    enum Executor { local, slurm }

    /** The config argument and the launcher override, shared by the subcommands. */
    static final class ConfigArg {
        @Parameters(index = "0", paramLabel = "CONFIG", description = "Sweep config (.yaml or .json).")
        Path config;

        @Option(names = "--qqt", paramLabel = "PATH",
                description = "qqt launcher the runs call (default: the config's \"qqt\", else this install's bin/qqt).")
        Path qqt;

        SweepConfig load() {
            return SweepConfig.load(config);
        }

        SweepPlan plan(SweepConfig c) {
            return SweepPlan.of(c, Path.of("").toAbsolutePath(), launcherOf(c));
        }

        Path launcherOf(SweepConfig c) {
            return qqt != null ? qqt.toAbsolutePath() : c.qqt() != null ? Path.of(c.qqt()).toAbsolutePath()
                    : Launcher.find();
        }
    }

    /** Executor options for run and retry; unset options come from the config's local/slurm sections. */
    static final class ExecOptions {
        @Option(names = "--executor", defaultValue = "local", description = "local (default) or slurm.")
        Executor executor;

        @Option(names = "--workers", description = "Local: runs side by side (default: config, else the measured "
                + "default split, docs/sweeps.md).")
        Integer workers;

        @Option(names = "--threads", description = "Local: threads per run (default: config, else cores / workers; "
                + "with neither workers nor threads given, the measured default split).")
        Integer threads;

        @Option(names = "--partition", description = "Slurm partition.")
        String partition;

        @Option(names = "--gpus", description = "Slurm: GPUs per run (--gres=gpu:N).")
        Integer gpus;

        @Option(names = "--time", description = "Slurm time limit per run, e.g. 24:00:00.")
        String time;

        @Option(names = "--account", description = "Slurm account.")
        String account;

        @Option(names = "--cpus-per-task", description = "Slurm CPUs per run (also the run's threads).")
        Integer cpusPerTask;

        @Option(names = "--mem", description = "Slurm memory per run, e.g. 64G.")
        String mem;

        @Option(names = "--max-parallel", description = "Slurm: at most N array tasks at once (--array=...%%N).")
        Integer maxParallel;

        @Option(names = "--sbatch-line", paramLabel = "LINE",
                description = "Extra batch-script line, verbatim (\"--qos=high\" gets an #SBATCH prefix); repeatable.")
        List<String> sbatchLines = new ArrayList<>();

        @Option(names = "--wait", description = "Slurm: wait until the array job has left the queue, then print status.")
        boolean await;

        @Option(names = "--dry-run", description = "Slurm: write the run list and batch script, print the script, "
                + "do not submit.")
        boolean dryRun;

        /** Where qqt sweep run/retry and qqt figure5 start runs: these options over the config's sections. */
        SweepExecution.Target target(SweepConfig c, Path base, Path launcher) {
            return new SweepExecution.Target(executor == Executor.slurm, base, workers, threads, slurm(c), launcher);
        }

        SlurmOptions slurm(SweepConfig c) {
            SlurmOptions base = SlurmOptions.of(c.slurmOrDefault());
            List<String> extra = new ArrayList<>(base.extra());
            extra.addAll(sbatchLines);
            return new SlurmOptions(or(partition, base.partition()), or(gpus, base.gpus()), or(time, base.time()),
                    or(account, base.account()), or(cpusPerTask, base.cpusPerTask()), or(mem, base.mem()),
                    or(maxParallel, base.maxParallel()), extra);
        }
    }

    /** The command-line value when given, else the config's. */
    private static <T> T or(T option, T config) {
        return option != null ? option : config;
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Expand a sweep config into runs with stable ids (same config, same ids).")
    static final class Plan implements Runnable {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigArg arg;

        @Option(names = "--format", defaultValue = "table", description = "json, csv or table (default).")
        OutputFormat format;

        @Override
        public void run() {
            SweepPlan plan = arg.plan(arg.load());
            PrintWriter out = spec.commandLine().getOut();
            switch (format) {
                case json -> out.print(Json.pretty(plan.runs()));
                case csv -> {
                    out.println("id,kind,pool_name,pool_size,epochs,samples_seen,seed");
                    for (RunSpec r : plan.runs()) {
                        out.printf("%s,%s,%s,%.0f,%s,%.0f,%d%n", r.id(), r.kind(), r.poolName(), r.poolSize(),
                                r.epochs() == null ? "" : r.epochs(), r.samplesSeen(), r.seed());
                    }
                }
                case table -> {
                    out.printf("%-40s %-10s %-14s %9s %6s %9s %4s%n", "id", "kind", "pool", "pool_size", "epochs",
                            "samples", "seed");
                    for (RunSpec r : plan.runs()) {
                        out.printf("%-40s %-10s %-14s %9s %6s %9s %4d%n", r.id(), r.kind(), r.poolName(),
                                SampleCount.format(r.poolSize()), r.epochs() == null ? "-" : r.epochs(),
                                SampleCount.format(r.samplesSeen()), r.seed());
                    }
                    out.println(plan.runs().size() + " runs in " + plan.sweepDir());
                }
            }
            out.flush();
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run every run that is not done (pending or interrupted runs; failed ones with --retry-failed).")
    static final class Run implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigArg arg;

        @Mixin
        ExecOptions exec;

        @Option(names = "--retry-failed", description = "Also re-run failed runs.")
        boolean retryFailed;

        @Option(names = "--only", split = ",", paramLabel = "ID", description = "Only these run ids.")
        List<String> only = new ArrayList<>();

        @Override
        public Integer call() throws InterruptedException {
            return execute(spec.commandLine().getOut(), arg, exec, retryFailed, only);
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = "Clear the FAILED marker of the given runs and run them (only them).")
    static final class Retry implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigArg arg;

        @Mixin
        ExecOptions exec;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "ID", description = "Run ids (see qqt sweep status).")
        List<String> ids;

        @Override
        public Integer call() throws InterruptedException {
            SweepPlan plan = arg.plan(arg.load());
            Sweep.clearFailed(plan, ids);
            return execute(spec.commandLine().getOut(), arg, exec, false, ids);
        }
    }

    static int execute(PrintWriter out, ConfigArg arg, ExecOptions exec, boolean retryFailed, List<String> only)
            throws InterruptedException {
        SweepConfig c = arg.load();
        SweepPlan plan = arg.plan(c);
        for (String id : only) {
            plan.run(id);
        }
        SlurmExecutor slurm = new SlurmExecutor(Map.of());
        SweepExecution.Pending pending = SweepExecution.pending(plan, slurm, retryFailed, only);
        List<RunState> states = pending.states();
        List<RunSpec> todo = pending.todo();
        var counts = Sweep.counts(states);
        out.printf("sweep %s: %d runs (%d done, %d running or queued, %d failed); starting %d%n", plan.name(),
                plan.runs().size(), counts.get(RunState.State.done),
                counts.get(RunState.State.running) + counts.get(RunState.State.queued),
                counts.get(RunState.State.failed), todo.size());
        out.flush();
        if (todo.isEmpty()) {
            return counts.get(RunState.State.failed) > 0 ? 1 : 0;
        }
        if (!exec.dryRun && SweepVocabulary.ensureFor(c, Path.of("").toAbsolutePath(), plan.sweepDir(), List.of(),
                Runtime.getRuntime().availableProcessors()) != null) {
            out.println("sweep vocabulary (every run's): " + plan.sweepDir().resolve(SweepVocabulary.FILE));
        }
        SweepExecution.Target target = exec.target(c, Path.of("").toAbsolutePath(), arg.launcherOf(c));
        if (!target.slurm()) {
            Map<String, RunRunner.Outcome> res = SweepExecution.runLocal(c, target, plan, todo, line -> {
                out.println(line);
                out.flush();
            }, (r, o) -> printOutcome(out, plan, r, o));
            long failed = res.values().stream().filter(o -> o == RunRunner.Outcome.failed).count();
            long notDone = res.values().stream().filter(o -> o == RunRunner.Outcome.interrupted
                    || o == RunRunner.Outcome.busy).count();
            out.printf("finished: %d done, %d failed, %d not finished%n", res.size() - failed - notDone, failed,
                    notDone);
            if (failed > 0) {
                out.println("retry a failed run alone: qqt sweep retry " + arg.config + " ID");
            }
            out.flush();
            return failed + notDone > 0 ? 1 : 0;
        }
        String job = SweepExecution.submit(slurm, target, plan, todo, exec.dryRun);
        if (exec.dryRun) {
            out.print(readScript(Path.of(job)));
            out.println("dry run: not submitted; batch script " + job + " (submit it with sbatch, or drop --dry-run)");
            out.flush();
            return 0;
        }
        out.printf("submitted Slurm job array %s: %d runs (logs: %s/%s_<task>.out)%n", job, todo.size(),
                plan.sweepDir().resolve("slurm"), job);
        out.flush();
        if (!exec.await) {
            return 0;
        }
        slurm.await(job, plan.sweepDir(), 0, 5000);
        List<RunState> after = Sweep.status(plan, slurm.queue(plan.sweepDir()), 10);
        printStatus(out, after, OutputFormat.table);
        return after.stream().allMatch(s -> s.state() == RunState.State.done) ? 0 : 1;
    }

    private static String readScript(Path f) {
        try {
            return java.nio.file.Files.readString(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Each run's state (done, running, queued, failed, interrupted, pending) from its markers "
                    + "and squeue; failed runs with their log tail.")
    static final class Status implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigArg arg;

        @Option(names = "--format", defaultValue = "table", description = "json, csv or table (default).")
        OutputFormat format;

        @Option(names = "--tail", defaultValue = "10", description = "Log lines shown per failed run (default: "
                + "${DEFAULT-VALUE}).")
        int tail;

        @Override
        public Integer call() {
            SweepPlan plan = arg.plan(arg.load());
            Map<String, String> queue = new SlurmExecutor(Map.of()).queue(plan.sweepDir());
            List<RunState> states = Sweep.status(plan, queue, tail);
            printStatus(spec.commandLine().getOut(), states, format);
            return 0;
        }
    }

    static void printStatus(PrintWriter out, List<RunState> states, OutputFormat format) {
        switch (format) {
            case json -> out.print(Json.pretty(states));
            case csv -> {
                out.println("id,state,detail");
                states.forEach(s -> out.println(s.id() + "," + s.state() + ",\"" + s.detail().replace("\"", "'") + "\""));
            }
            case table -> {
                for (RunState s : states) {
                    out.printf("%-12s %s%s%n", s.state(), s.id(), s.detail().isEmpty() ? "" : "  (" + s.detail() + ")");
                    if (s.state() == RunState.State.failed) {
                        s.logTail().forEach(line -> out.println("    | " + line));
                    }
                }
                Map<String, Integer> c = new LinkedHashMap<>();
                Sweep.counts(states).forEach((k, v) -> c.put(k.name(), v));
                out.println("total " + states.size() + ": " + c);
            }
        }
        out.flush();
    }

    @Command(name = "run-one", hidden = true, mixinStandardHelpOptions = true,
            description = "Execute one planned run (what each Slurm array task calls).")
    static final class RunOne implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--sweep-dir", required = true)
        Path sweepDir;

        @Option(names = "--id", required = true)
        String id;

        @Option(names = "--threads", defaultValue = "0")
        int threads;

        @Option(names = "--slurm-job")
        String slurmJob;

        @Override
        public Integer call() {
            Path runDir = sweepDir.resolve(id);
            if (id.isBlank() || id.contains("/")) {
                throw new BadInputException("bad run id '" + id + "'");
            }
            RunSpec r = SweepPlan.readSpec(runDir);
            int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            RunRunner runner = new RunRunner();
            Runtime.getRuntime().addShutdownHook(new Thread(runner::stopAll, "qqt-sweep-stop"));
            Map<String, String> marker = slurmJob == null ? Map.of() : Map.of("slurm_job", slurmJob,
                    "host", hostName());
            RunRunner.Outcome o = runner.run(runDir, r, t, marker);
            PrintWriter out = spec.commandLine().getOut();
            out.println(o + " " + id);
            out.flush();
            return Set.of(RunRunner.Outcome.done, RunRunner.Outcome.alreadyDone).contains(o) ? 0 : 1;
        }

        private static String hostName() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "?";
            }
        }
    }

    /** One finished run: its outcome and id; for a failed run its state and the tail of its log. */
    static void printOutcome(PrintWriter out, SweepPlan plan, RunSpec r, RunRunner.Outcome o) {
        synchronized (out) {
            out.println(o + " " + r.id());
            if (o == RunRunner.Outcome.failed) {
                RunState s = RunState.read(plan.runDir(r.id()), r.id(), null, 10);
                out.println("  " + s.detail() + "; log " + plan.runDir(r.id()).resolve(RunState.LOG) + " ends:");
                s.logTail().forEach(line -> out.println("    " + line));
            }
            out.flush();
        }
    }
}
