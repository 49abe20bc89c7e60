package org.qqt.sweep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;

/**
 * A sweep config expanded into runs: every bucket × its epochs × seeds, then every validation mixture × budget
 * × seeds. Runs are sorted by id, so the plan (and the index of each run in a Slurm array) does not depend on
 * the order of lists in the config.
 *
 * @param sweepDir {@code <runs>/<name>}, absolute
 * @param runs     the runs, sorted by id, ids unique
 */
public record SweepPlan(String name, Path sweepDir, List<RunSpec> runs) {

    /** Expands {@code config}; relative paths resolve against {@code base}; {@code qqt} is the launcher. */
    public static SweepPlan of(SweepConfig config, Path base, Path qqt) {
        Path sweepDir = base.resolve(config.runsOrDefault()).resolve(config.name()).toAbsolutePath().normalize();
        Map<String, SweepConfig.Bucket> buckets = config.bucketMap();
        double poolSize = config.poolSize() == null ? Double.NaN : SampleCount.parse(config.poolSize());
        Path subsets = config.subsets() == null ? sweepDir.resolve("subsets") : abs(base, config.subsets());
        List<RunSpec> runs = new ArrayList<>();
        List<String> bucketRuns = config.bucketRuns() != null ? config.bucketRuns() : new ArrayList<>(buckets.keySet());
        for (String bname : bucketRuns) {
            SweepConfig.Bucket b = buckets.get(bname);
            List<Integer> epochs = b.epochs() != null && !b.epochs().isEmpty() ? b.epochs()
                    : config.epochs() == null ? List.of() : config.epochs();
            double size = bucketSize(b, poolSize);
            for (int e : epochs) {
                for (int seed : config.seedsOrDefault()) {
                    runs.add(spec(config, base, qqt, sweepDir, subsets, "bucket", bname, List.of(bname), size, e,
                            e * size, seed, "e" + e));
                }
            }
        }
        if (config.validation() != null) {
            for (String mix : config.validation().mixtures()) {
                List<String> parts = config.mixtures() != null && config.mixtures().containsKey(mix)
                        ? config.mixtures().get(mix) : List.of(mix);
                double size = 0;
                for (String p : parts) {
                    size += bucketSize(buckets.get(p), poolSize);
                }
                for (String budget : config.validation().budgets()) {
                    double s = SampleCount.parse(budget);
                    for (int seed : config.seedsOrDefault()) {
                        runs.add(spec(config, base, qqt, sweepDir, subsets, "validation", mix, parts, size, null, s,
                                seed, SampleCount.format(s)));
                    }
                }
            }
        }
        Map<String, RunSpec> unique = new LinkedHashMap<>();
        runs.stream().sorted(Comparator.comparing(RunSpec::id)).forEach(r -> unique.putIfAbsent(r.id(), r));
        return new SweepPlan(config.name(), sweepDir, List.copyOf(unique.values()));
    }

    private static double bucketSize(SweepConfig.Bucket b, double poolSize) {
        return Math.rint(poolSize * (b.to() - b.from()) / 100.0);
    }

    private static Path abs(Path base, String p) {
        return base.resolve(p).toAbsolutePath().normalize();
    }

    private static RunSpec spec(SweepConfig c, Path base, Path qqt, Path sweepDir, Path subsets, String kind,
                                String poolName, List<String> parts, double poolSize, Integer epochs,
                                double samplesSeen, int seed, String budgetTag) {
        int batch = c.batchOrDefault();
        double lr = c.lrOrDefault();
        RunSpec draft = new RunSpec("", kind, poolName, parts, poolSize, epochs, samplesSeen, seed, c.pool(),
                c.score(), null, c.model(), batch, lr, c.suite(), List.of());
        String id = poolName + "-" + budgetTag + "-s" + seed + "-" + RunSpec.hash8(draft.identity());
        Path runDir = sweepDir.resolve(id);
        Path subset = subsets.resolve(poolName + ".npy");
        Map<String, String> v = new HashMap<>();
        v.put("qqt", qqt.toString());
        v.put("pool", abs(base, c.pool()).toString());
        if (c.score() != null) {
            v.put("score", c.score());
        }
        v.put("subset", subset.toString());
        v.put("pool_name", poolName);
        v.put("pool_size", String.format(Locale.ROOT, "%.0f", poolSize));
        v.put("samples_seen", String.format(Locale.ROOT, "%.0f", samplesSeen));
        if (epochs != null) {
            v.put("epochs", epochs.toString());
        }
        v.put("model", abs(base, c.model()).toString());
        v.put("batch", Integer.toString(batch));
        v.put("micro_batch", Integer.toString(c.microBatchOrDefault()));
        v.put("precision", c.precisionOrDefault());
        v.put("lr", Double.toString(lr));
        v.put("seed", Integer.toString(seed));
        if (c.suite() != null) {
            v.put("suite", abs(base, c.suite()).toString());
        }
        if (c.tasksRoot() != null) {
            v.put("tasks_root", abs(base, c.tasksRoot()).toString());
        }
        v.put("run_dir", runDir.toString());
        v.put("run_id", id);
        v.put("sweep_dir", sweepDir.toString());
        v.put("vocab", sweepDir.resolve(SweepVocabulary.FILE).toString());
        List<SweepConfig.Stage> stages = new ArrayList<>();
        for (SweepConfig.Stage s : c.stagesOrDefault()) {
            stages.add(new SweepConfig.Stage(s.name(), RunSpec.substitute(s.command(), v, "stage " + s.name())));
        }
        return new RunSpec(id, kind, poolName, parts, poolSize, epochs, samplesSeen, seed, c.pool(), c.score(),
                subset.toString(), c.model(), batch, lr, c.suite(), List.copyOf(stages));
    }

    public Path runDir(String id) {
        return sweepDir.resolve(id);
    }

    public RunSpec run(String id) {
        return runs.stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new BadInputException("no run '" + id + "' in sweep " + name
                        + " (see qqt sweep plan)"));
    }

    /** Writes each run's {@code sweep-run.json} (the spec its executor reads), creating the run directories. */
    public void writeSpecs() {
        for (RunSpec r : runs) {
            Path f = runDir(r.id()).resolve(RunState.SPEC);
            if (!Files.isRegularFile(f) || !Json.readTree(f).equals(Json.mapper().valueToTree(r))) {
                Json.write(f, r);
            }
        }
    }

    /** Reads a run's spec back (what {@code qqt sweep run-one} executes). */
    public static RunSpec readSpec(Path runDir) {
        return Json.read(runDir.resolve(RunState.SPEC), RunSpec.class);
    }
}
