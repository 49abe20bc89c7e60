package org.qqt.cli;

import ai.djl.Device;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.qqt.eval.CachingTaskDataFactory;
import org.qqt.eval.CheckpointId;
import org.qqt.eval.ClipEncoder;
import org.qqt.eval.EvalOutcome;
import org.qqt.eval.EvalResultsFile;
import org.qqt.eval.EvalSummary;
import org.qqt.eval.Evaluator;
import org.qqt.eval.RunModel;
import org.qqt.eval.TaskFailure;
import org.qqt.eval.TaskSuite;
import org.qqt.eval.WdsTaskDataFactory;
import org.qqt.io.BadInputException;
import org.qqt.io.Checks;
import org.qqt.io.DirLock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate trained runs on a task suite (zero-shot classification and retrieval) and write "
                + "DataComp's eval_results.jsonl; tasks already in the file are skipped (resumable).",
                "Exit 2 when any task or checkpoint could not be evaluated (each named on stderr); the other tasks "
                        + "are still evaluated."})
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "DIR",
            description = "Run directory (run.json, checkpoints/); repeatable: several runs share the loaded task data.")
    List<Path> runs;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "Checkpoint to evaluate (default: the run's latest); repeatable with one --run.")
    List<Path> checkpoints;

    @Option(names = "--suite", required = true, paramLabel = "FILE", description = "Task suite YAML, e.g. configs/tasks/synth18.yaml.")
    Path suite;

    @Option(names = "--root", required = true, paramLabel = "DIR",
            description = "Evaluation data root: the synthetic world directory (or its tasks/ directory).")
    Path root;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Results file (default: <run>/eval_results.jsonl; with several checkpoints "
                    + "<run>/eval_results.<checkpoint name>.jsonl).")
    Path out;

    @Option(names = "--batch", defaultValue = "256", description = "Images/texts per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "0", description = "libtorch intra-op threads (default: 0 = one per core).")
    int threads;

    @Option(names = "--device", defaultValue = "auto", description = "auto (CUDA when present), cpu or gpu.")
    TrainCommand.DeviceChoice device;

    @Option(names = "--cache-mb", defaultValue = "2048",
            description = "Memory for decoded task images shared by several checkpoints (default: ${DEFAULT-VALUE}).")
    long cacheMb;

    @Option(names = "--format", defaultValue = "table", description = "table (default) or json (one summary line per checkpoint).")
    OutputFormat format;

    private record Job(Path run, Path checkpoint, Path out) {}

    @Override
    public Integer call() {
        Checks.positive("--batch", batch);
        Checks.notNegative("--threads", threads);
        Checks.notNegative("--cache-mb", cacheMb);
        if (cacheMb > Long.MAX_VALUE >> 21) {
            throw new BadInputException("--cache-mb " + cacheMb + " is too large; give MiB, e.g. 2048");
        }
        if (out != null) {
            Checks.outputFile("--out", out);
        }
        if (format == OutputFormat.csv) {
            throw new BadInputException("--format csv is not supported by eval; use table or json");
        }
        List<Path> ckpts = checkpoints == null ? List.of() : checkpoints;
        if (ckpts.size() > 0 && runs.size() > 1) {
            throw new BadInputException("--checkpoint applies to one --run; give one run, or drop --checkpoint to "
                    + "evaluate each run's latest");
        }
        if (out != null && runs.size() + Math.max(0, ckpts.size() - 1) > 1) {
            throw new BadInputException("--out names one file, but several checkpoints are evaluated; drop --out");
        }
        TaskSuite tasks = TaskSuite.load(suite);
        Path dataRoot = dataRoot(tasks);
        List<Job> jobs = new ArrayList<>();
        for (Path run : runs) {
            if (ckpts.isEmpty()) {
                jobs.add(new Job(run, null, out != null ? out : run.resolve(EvalResultsFile.FILE_NAME)));
            }
            for (Path c : ckpts) {
                String stem = c.getFileName().toString().replaceFirst("\\.safetensors$", "");
                Path o = out != null ? out : ckpts.size() == 1 ? run.resolve(EvalResultsFile.FILE_NAME)
                        : run.resolve("eval_results." + stem + ".jsonl");
                jobs.add(new Job(run, c, o));
            }
        }
        Device dev = TrainCommand.chooseDevice(device, threads);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CachingTaskDataFactory factory = new CachingTaskDataFactory(new WdsTaskDataFactory(), cacheMb << 20, batch);
        Evaluator evaluator = new Evaluator(factory, batch, Qqt.lines(err, ""));
        int failed = 0;
        for (Job job : jobs) {
            Path outDir = job.out().toAbsolutePath().getParent();
            try (DirLock lock = DirLock.acquire(outDir, "qqt eval");
                 RunModel model = RunModel.open(job.run(), job.checkpoint(), dev)) {
                ClipEncoder encoder = model.encoder(batch);
                err.println("evaluating " + model.checkpoint() + " -> " + job.out());
                EvalOutcome o = evaluator.evaluate(tasks, dataRoot, encoder, job.out(),
                        CheckpointId.of(model.checkpoint()));
                for (TaskFailure f : o.failures()) {
                    err.println("qqt eval: task " + f.key() + " failed: " + f.message());
                }
                failed += o.failures().size();
                EvalSummary summary = EvalSummary.of(o.results());
                if (format == OutputFormat.json) {
                    stdout.println(summary.toJson());
                } else {
                    stdout.println("# " + model.checkpoint() + " (" + o.evaluated().size() + " evaluated, "
                            + o.cached().size() + " cached, " + o.failures().size() + " failed) -> " + job.out());
                    stdout.print(summary.format());
                }
                stdout.flush();
            } catch (BadInputException e) {
                err.println("qqt eval: error: " + e.getMessage());
                failed++;
            }
            err.flush();
        }
        return failed == 0 ? 0 : Qqt.EXIT_USAGE;
    }

    /** --root may be the world directory or its tasks/ directory (suite paths are tasks/KEY). */
    private Path dataRoot(TaskSuite tasks) {
        if (!Files.isDirectory(root)) {
            throw BadInputException.inFile(root, "evaluation root not found; pass the synthetic world directory");
        }
        Path data = tasks.dataRoot(root);
        for (var t : tasks.tasks()) { // a missing directory is a wrong --root or suite path: say so before any work
            if (!Files.isDirectory(t.directory(data))) {
                throw BadInputException.inFile(t.directory(data), "task " + t.key() + " of " + suite
                        + ": no such directory; check --root and the task's path in the suite");
            }
        }
        return data;
    }
}
