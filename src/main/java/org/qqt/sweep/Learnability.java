package org.qqt.sweep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.qqt.data.PoolLayout;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.data.TaskKind;
import org.qqt.data.TaskReader;
import org.qqt.data.Uid;
import org.qqt.eval.EvalResult;
import org.qqt.eval.EvalResultsFile;
import org.qqt.eval.TaskSpec;
import org.qqt.eval.TaskSuite;
import org.qqt.io.BadInputException;
import org.qqt.io.SampleCount;
import org.qqt.train.Checkpoint;

/**
 * {@code qqt study learnability}: per-task zero-shot learning curves. Each set (the clean teacher set, a bucket
 * or a mixture) × seed is trained ONCE to the budget with {@code qqt train --keep-at} (one cosine schedule over
 * the whole budget), and every kept checkpoint is evaluated. The curve at an intermediate count is therefore a
 * checkpoint of a longer run (its learning rate has not decayed to zero), not a run trained for that budget.
 *
 * <p>Runs live in {@code <runs>/<sweep>/learnability/<set>-s<seed>/}; each kept checkpoint's results in
 * {@code eval_results.samples-<N>.jsonl} there. Runs are executed by {@link LocalExecutor} through
 * {@link RunRunner}, so a finished run is skipped and a killed one resumes.
 */
public final class Learnability {
    private Learnability() {}

    /** The directory of the study's runs: {@code <runs>/<sweep>/learnability}. */
    public static Path dir(SweepPlan sweep) {
        return sweep.sweepDir().resolve("learnability");
    }

    /** The study's runs (kind "learnability", id {@code <set>-s<seed>}), as a plan rooted at {@link #dir}. */
    public static SweepPlan plan(SweepConfig c, Path base, Path qqt) {
        LearnabilityConfig l = c.learnability();
        SweepPlan sweep = SweepPlan.of(c, base, qqt);
        Path dir = dir(sweep);
        Path subsets = c.subsets() == null ? sweep.sweepDir().resolve("subsets") : abs(base, c.subsets());
        int batch = c.batchOrDefault();
        double lr = c.lrOrDefault();
        String suite = abs(base, l.suiteOr(c)).toString();
        String keep = l.evalCounts().stream().map(String::valueOf).collect(Collectors.joining(","));
        List<RunSpec> runs = new ArrayList<>();
        for (String set : l.sets()) {
            boolean teacher = LearnabilityConfig.TEACHER.equals(set);
            Path pool = abs(base, teacher ? l.teacherPool() : c.pool());
            Path subset = teacher ? teacherSubset(dir) : subsets.resolve(set + ".npy");
            List<String> parts = teacher ? List.of() : c.mixtures() != null && c.mixtures().containsKey(set)
                    ? c.mixtures().get(set) : List.of(set);
            for (int seed : l.seedsOr(c)) {
                String id = set + "-s" + seed;
                Path runDir = dir.resolve(id);
                List<String> train = List.of("{qqt}", "train", "--pool", pool.toString(), "--subset",
                        subset.toString(), "--pool-name", set, "--model", abs(base, c.model()).toString(),
                        "--samples-seen", Long.toString(l.budget()), "--batch", Integer.toString(batch), "--lr",
                        Double.toString(lr), "--seed", Integer.toString(seed), "--threads", "{threads}",
                        "--keep-at", keep, "--out", runDir.toString());
                List<String> eval = new ArrayList<>(List.of("{qqt}", "eval", "--run", runDir.toString()));
                for (long n : l.evalCounts()) {
                    eval.add("--checkpoint");
                    eval.add(Checkpoint.kept(runDir, Checkpoint.keptSamples(n, batch)).toString());
                }
                if (l.evalCounts().size() == 1) { // one checkpoint: eval would write eval_results.jsonl
                    eval.add("--out");
                    eval.add(resultsFile(runDir, Checkpoint.keptSamples(l.evalCounts().get(0), batch)).toString());
                }
                eval.addAll(List.of("--suite", suite, "--root", abs(base, c.tasksRoot()).toString(), "--threads",
                        "{threads}"));
                List<SweepConfig.Stage> stages = List.of(
                        new SweepConfig.Stage("train", fill(train, qqt)), new SweepConfig.Stage("eval", fill(eval, qqt)));
                runs.add(new RunSpec(id, "learnability", set, parts, 0, null, l.budget(), seed, pool.toString(),
                        c.score(), subset.toString(), c.model(), batch, lr, l.suiteOr(c), stages));
            }
        }
        return new SweepPlan(c.name(), dir, List.copyOf(runs));
    }

    private static List<String> fill(List<String> command, Path qqt) {
        return RunSpec.substitute(command, Map.of("qqt", qqt.toString()), "learnability");
    }

    private static Path abs(Path base, String p) {
        return base.resolve(p).toAbsolutePath().normalize();
    }

    /** The teacher set's subset file (every uid of the teacher pool), written by {@link #prepare}. */
    static Path teacherSubset(Path dir) {
        return dir.resolve("subsets").resolve(LearnabilityConfig.TEACHER + ".npy");
    }

    /** The results of the checkpoint kept after {@code samplesSeen} samples. */
    public static Path resultsFile(Path runDir, long samplesSeen) {
        return runDir.resolve("eval_results.samples-" + samplesSeen + ".jsonl");
    }

    /**
     * Writes the teacher subset (all uids of the teacher pool) when the study has a teacher set and the file is
     * missing, and checks that every other set's subset file exists.
     */
    public static void prepare(SweepConfig c, SweepPlan plan) {
        for (RunSpec r : plan.runs()) {
            Path subset = Path.of(r.subset());
            if (Files.isRegularFile(subset)) {
                continue;
            }
            if (!LearnabilityConfig.TEACHER.equals(r.poolName())) {
                throw BadInputException.inFile(subset, "missing subset of learnability set '" + r.poolName()
                        + "'; cut it with qqt filter (or set \"subsets\" in the sweep config)");
            }
            List<Uid> uids = new ArrayList<>();
            try (PoolMetadata meta = PoolMetadata.open(PoolLayout.metadata(Path.of(r.pool())));
                 PreparedStatement p = meta.prepare("SELECT " + meta.requireUidColumn() + " FROM pool");
                 ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    uids.add(Uid.parse(rs.getString(1)));
                }
            } catch (SQLException e) {
                throw BadInputException.inFile(Path.of(r.pool()), "cannot read the teacher pool's uids: "
                        + PoolMetadata.firstLine(e));
            }
            if (uids.isEmpty()) {
                throw BadInputException.inFile(Path.of(r.pool()), "the teacher pool has no samples");
            }
            try {
                Files.createDirectories(subset.getParent());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            SubsetFile.of(uids).write(subset);
        }
    }

    /**
     * Refuses a finished run whose recorded spec differs from the planned one in anything but the launcher
     * (budget, eval_at, model, batch, lr, suite, paths): it would be skipped, and its results would not be the
     * planned ones.
     */
    public static void checkFinishedRuns(SweepPlan plan) {
        for (RunSpec r : plan.runs()) {
            Path runDir = plan.runDir(r.id());
            if (!Files.isRegularFile(runDir.resolve(RunState.DONE))
                    || !Files.isRegularFile(runDir.resolve(RunState.SPEC))) {
                continue;
            }
            RunSpec old = SweepPlan.readSpec(runDir);
            if (!old.identity().equals(r.identity()) || !withoutLauncher(old).equals(withoutLauncher(r))) {
                throw BadInputException.inFile(runDir, "is a finished learnability run of another spec (samples_seen, "
                        + "eval_at, model, batch, lr, suite or paths changed); delete it to train it again");
            }
        }
    }

    private static List<List<String>> withoutLauncher(RunSpec r) {
        return r.stages().stream().map(s -> s.command().subList(1, s.command().size())).toList();
    }

    /** What the table needs to know of a task: its kind, classes and test-set size. */
    public record TaskInfo(String key, boolean retrieval, int classes, long nTest) {
        /**
         * Error of guessing: 1 − 1/classes; for retrieval 1 − 1/n_images (recall@1 of a random ranking of the
         * test images, an approximation for the text-to-image direction).
         */
        public double chance() {
            return retrieval ? 1 - 1.0 / nTest : 1 - 1.0 / classes;
        }
    }

    /** Kind, classes and number of test images of every task of the suite (counted from its shards). */
    public static Map<String, TaskInfo> tasks(TaskSuite suite, Path root) {
        root = suite.dataRoot(root); // tasks_root may name the world's tasks/ directory
        Map<String, TaskInfo> out = new LinkedHashMap<>();
        for (TaskSpec t : suite.tasks()) {
            try (TaskReader r = TaskReader.open(t.directory(root))) {
                long n = 0;
                while (r.hasNext()) {
                    r.next();
                    n++;
                }
                boolean retrieval = r.kind() == TaskKind.RETRIEVAL;
                out.put(t.key(), new TaskInfo(t.key(), retrieval, retrieval ? 0 : r.classnames().size(), n));
            }
        }
        return out;
    }

    /** One evaluated checkpoint × task: a line of learnability.csv. */
    public record Row(String set, int seed, long evalAt, long samplesSeen, String task, Integer classes, long nTest,
                      double error, double binomialSe) {}

    /** Every result present; {@code missing} hears each results file or task that is not there yet. */
    public static List<Row> rows(SweepConfig c, SweepPlan plan, Map<String, TaskInfo> tasks, List<String> missing) {
        LearnabilityConfig l = c.learnability();
        List<Row> out = new ArrayList<>();
        for (RunSpec r : plan.runs()) {
            Path runDir = plan.runDir(r.id());
            for (long n : l.evalCounts()) {
                long seen = Checkpoint.keptSamples(n, r.batch());
                Path f = resultsFile(runDir, seen);
                if (!Files.isRegularFile(f)) {
                    missing.add(f.toString());
                    continue;
                }
                EvalResultsFile results = EvalResultsFile.open(f);
                for (TaskInfo t : tasks.values()) {
                    EvalResult res = results.get(t.key());
                    if (res == null || res.mainMetric() == null) {
                        missing.add(f + " " + t.key());
                        continue;
                    }
                    double err = 1 - res.mainMetric();
                    out.add(new Row(r.poolName(), r.seed(), n, seen, t.key(), t.retrieval() ? null : t.classes(),
                            t.nTest(), err, SeedStats.binomialSe(err, t.nTest())));
                }
            }
        }
        return out;
    }

    /** One cell: error over seeds at one eval_at count, and the binomial SE at the mean error. */
    public record Cell(SeedStats stats, double binomialSe) {}

    /** One line of the table: a set × task across the eval_at counts. */
    public record Line(String set, String task, double chance, List<Cell> cells, Long learnedAt) {}

    /** The learnability table: one line per set × task, one cell per eval_at count. */
    public record Table(List<Long> evalAt, List<Line> lines) {

        /** Tasks learned (mean error below half of chance) at the largest count, per set, in table order. */
        public Map<String, List<String>> learnedAtLargest() {
            Map<String, List<String>> m = new LinkedHashMap<>();
            int last = evalAt.size() - 1;
            for (Line line : lines) {
                List<String> learned = m.computeIfAbsent(line.set(), k -> new ArrayList<>());
                Cell cell = line.cells().get(last);
                if (cell.stats().n() > 0 && cell.stats().mean() < line.chance() / 2) {
                    learned.add(line.task());
                }
            }
            return m;
        }

        /** The table in markdown, with a note on what the columns mean, and the learned tasks per set. */
        public String markdown() {
            StringBuilder b = new StringBuilder();
            b.append("Zero-shot error, mean ± standard error over seeds, at each checkpoint of ONE cosine run per set × "
                    + "seed (trained to the largest count; earlier columns are intermediate checkpoints of that run, "
                    + "not runs trained for that budget). Columns are the eval_at counts; each checkpoint is taken at the end of the "
                    + "step that reaches the count (learnability.csv has the exact samples_seen). chance = 1 − 1/classes (retrieval: 1 − 1/n_images); "
                    + "binom SE = binomial standard error of the error at the largest count; learned at = first "
                    + "count whose mean error is below half of chance.\n\n");
            b.append("| set | task | chance |");
            evalAt.forEach(n -> b.append(' ').append(SampleCount.format(n)).append(" |"));
            b.append(" binom SE | learned at |\n|---|---|---|");
            evalAt.forEach(n -> b.append("---|"));
            b.append("---|---|\n");
            for (Line line : lines) {
                b.append("| ").append(line.set()).append(" | ").append(line.task()).append(" | ")
                        .append(String.format(Locale.ROOT, "%.3f", line.chance())).append(" |");
                for (Cell cell : line.cells()) {
                    b.append(' ').append(cell.stats().format()).append(" |");
                }
                double binom = line.cells().get(line.cells().size() - 1).binomialSe();
                b.append(' ').append(Double.isNaN(binom) ? "-" : String.format(Locale.ROOT, "%.4f", binom))
                        .append(" | ").append(line.learnedAt() == null ? "not learned"
                                : SampleCount.format(line.learnedAt())).append(" |\n");
            }
            b.append("\nLearned at ").append(SampleCount.format(evalAt.get(evalAt.size() - 1))).append(":\n");
            learnedAtLargest().forEach((set, tasks) -> b.append("- ").append(set).append(": ")
                    .append(tasks.size()).append(" of ").append(lines.stream().filter(l -> l.set().equals(set)).count())
                    .append(" tasks").append(tasks.isEmpty() ? "" : " (" + String.join(", ", tasks) + ")").append('\n'));
            return b.toString();
        }
    }

    /** The table of {@code rows} for {@code sets} × the tasks of {@code tasks}, in the given orders. */
    public static Table table(List<Row> rows, List<String> sets, Map<String, TaskInfo> tasks, List<Long> evalAt) {
        Map<String, List<Row>> by = new HashMap<>();
        for (Row r : rows) {
            by.computeIfAbsent(r.set() + "\n" + r.task() + "\n" + r.evalAt(), k -> new ArrayList<>()).add(r);
        }
        List<Line> lines = new ArrayList<>();
        for (String set : sets) {
            for (TaskInfo t : tasks.values()) {
                List<Cell> cells = new ArrayList<>();
                for (long n : evalAt) {
                    List<Double> errs = by.getOrDefault(set + "\n" + t.key() + "\n" + n, List.of()).stream()
                            .map(Row::error).toList();
                    SeedStats s = SeedStats.of(errs);
                    cells.add(new Cell(s, s.n() == 0 ? Double.NaN : SeedStats.binomialSe(s.mean(), t.nTest())));
                }
                lines.add(new Line(set, t.key(), t.chance(), List.copyOf(cells),
                        learnedAt(evalAt, cells.stream().map(c -> c.stats().mean()).toList(), t.chance())));
            }
        }
        return new Table(List.copyOf(evalAt), List.copyOf(lines));
    }

    /** The first count whose mean error is below half of chance (null: never; NaN means are skipped). */
    static Long learnedAt(List<Long> evalAt, List<Double> meanErrors, double chance) {
        for (int i = 0; i < evalAt.size(); i++) {
            if (meanErrors.get(i) < chance / 2) {
                return evalAt.get(i);
            }
        }
        return null;
    }

    /** learnability.csv: set, seed, samples_seen, task, classes, n_test, error, binomial_se. */
    public static String csv(List<Row> rows) {
        StringBuilder b = new StringBuilder("set,seed,samples_seen,task,classes,n_test,error,binomial_se\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%s,%d,%d,%s,%s,%d,%.6f,%.6f%n", r.set(), r.seed(), r.samplesSeen(),
                    r.task(), r.classes() == null ? "" : r.classes().toString(), r.nTest(), r.error(),
                    r.binomialSe()));
        }
        return b.toString();
    }
}
