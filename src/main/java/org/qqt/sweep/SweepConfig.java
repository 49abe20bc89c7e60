package org.qqt.sweep;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.train.Precision;
import org.qqt.train.TrainConfig;

/**
 * A sweep: which runs to train and evaluate, loaded from YAML or JSON (unknown keys are errors). Paths are
 * relative to the directory qqt is started in. See docs/sweeps.md for every key.
 *
 * <p>Two kinds of runs: <b>bucket runs</b> (each bucket trained for each of its epoch counts: samples seen =
 * epochs × bucket size; these feed {@code qqt fit}) and <b>validation runs</b> (each listed mixture at each
 * budget; these are the scatter points of Figure 5). Every run is repeated for each seed.
 */
@JsonIgnoreProperties({"world", "teacher", "figure5"}) // the sections only qqt figure5 reads (its Figure5Config)
public record SweepConfig(
        String name,
        String runs,
        String pool,
        @JsonProperty("pool_size") String poolSize,
        String score,
        String subsets,
        List<Bucket> buckets,
        List<Integer> epochs,
        @JsonProperty("bucket_runs") List<String> bucketRuns,
        Map<String, List<String>> mixtures,
        Validation validation,
        String model,
        Integer batch,
        @JsonProperty("micro_batch") Integer microBatch,
        String precision,
        Double lr,
        List<Integer> seeds,
        String suite,
        @JsonProperty("tasks_root") String tasksRoot,
        String qqt,
        List<Stage> stages,
        ExecutorConfig.Local local,
        ExecutorConfig.Slurm slurm,
        LearnabilityConfig learnability) {

    /** A quality bucket: the samples ranked {@code from}% to {@code to}% by score (0 = best). */
    public record Bucket(String name, Double from, Double to, List<Integer> epochs) {}

    /** Validation runs: each mixture (a name from {@code mixtures} or a bucket) at each budget. */
    public record Validation(List<String> mixtures, List<String> budgets) {}

    /** One stage of a run: a command line (argv) with {placeholders}; see {@link RunSpec#PLACEHOLDERS}. */
    public record Stage(String name, List<String> command) {}

    /**
     * The default stages: train with qqt train (the sweep's vocabulary, as many decode threads as the run's
     * threads), then evaluate with qqt eval.
     */
    public static List<Stage> defaultStages() {
        return List.of(
                new Stage("train", List.of("{qqt}", "train", "--pool", "{pool}", "--subset", "{subset}",
                        "--pool-name", "{pool_name}", "--model", "{model}", "--samples-seen", "{samples_seen}",
                        "--batch", "{batch}", "--micro-batch", "{micro_batch}", "--precision", "{precision}",
                        "--lr", "{lr}", "--seed", "{seed}", "--threads", "{threads}",
                        "--loader-threads", "{threads}", "--vocab", "{vocab}", "--out", "{run_dir}")),
                new Stage("eval", List.of("{qqt}", "eval", "--run", "{run_dir}", "--suite", "{suite}",
                        "--root", "{tasks_root}")));
    }

    /** Reads and validates a sweep config; any problem is a one-line BadInputException naming the file. */
    public static SweepConfig load(Path file) {
        SweepConfig c = Json.read(file, SweepConfig.class);
        c.validate(file);
        return c;
    }

    public List<Stage> stagesOrDefault() {
        return stages == null || stages.isEmpty() ? defaultStages() : stages;
    }

    /** {@code batch}, else the trainer's default. */
    public int batchOrDefault() {
        return batch == null ? TrainConfig.DEFAULT_BATCH : batch;
    }

    /** {@code lr}, else the trainer's default. */
    public double lrOrDefault() {
        return lr == null ? TrainConfig.DEFAULT_LR : lr;
    }

    public int microBatchOrDefault() {
        return microBatch == null ? 0 : microBatch;
    }

    public String precisionOrDefault() {
        return precision == null ? "fp32" : precision;
    }

    public String runsOrDefault() {
        return runs == null ? "runs" : runs;
    }

    public List<Integer> seedsOrDefault() {
        return seeds == null || seeds.isEmpty() ? List.of(0) : seeds;
    }

    public ExecutorConfig.Slurm slurmOrDefault() {
        return ExecutorConfig.Slurm.orDefault(slurm);
    }

    /** Bucket name → bucket, in file order. */
    public Map<String, Bucket> bucketMap() {
        Map<String, Bucket> m = new LinkedHashMap<>();
        if (buckets != null) {
            for (Bucket b : buckets) {
                m.put(b.name(), b);
            }
        }
        return m;
    }

    void validate(Path file) {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw BadInputException.inFile(file, "\"name\" is required and may hold only letters, digits, '.', '_' "
                    + "and '-' (it names the directory runs/<name>)");
        }
        if (pool == null) {
            throw BadInputException.inFile(file, "\"pool\" is required (the pool directory)");
        }
        if (model == null) {
            throw BadInputException.inFile(file, "\"model\" is required (a model config, e.g. models/tiny.json)");
        }
        Map<String, Bucket> bm = bucketMap();
        Set<String> names = new HashSet<>();
        for (Bucket b : buckets == null ? List.<Bucket>of() : buckets) {
            if (b.name() == null || !b.name().matches("[A-Za-z0-9._-]+")) {
                throw BadInputException.inFile(file, "bucket name '" + b.name() + "' must be letters, digits, '.', "
                        + "'_' or '-'");
            }
            if (!names.add(b.name())) {
                throw BadInputException.inFile(file, "bucket '" + b.name() + "' is listed twice");
            }
            if (b.from() == null || b.to() == null || !(b.from() >= 0) || !(b.to() > b.from()) || b.to() > 100) {
                throw BadInputException.inFile(file, "bucket '" + b.name() + "' needs 0 <= from < to <= 100 "
                        + "(percent of the pool in score order, 0 = best)");
            }
        }
        boolean anyEpochs = (epochs != null && !epochs.isEmpty())
                || bm.values().stream().anyMatch(b -> b.epochs() != null && !b.epochs().isEmpty());
        if ((anyEpochs || validation != null) && poolSize == null) {
            throw BadInputException.inFile(file, "\"pool_size\" is required to turn bucket ranges into sample "
                    + "counts (e.g. pool_size: 128M)");
        }
        if (poolSize != null) {
            count(file, "pool_size", poolSize);
        }
        int global = batchOrDefault();
        if (microBatch != null && (microBatch < 0 || microBatch > 0 && global % microBatch != 0)) {
            throw BadInputException.inFile(file, "micro_batch " + microBatch + " must divide batch " + global
                    + " (or be 0: the whole batch)");
        }
        if (precision != null) {
            try {
                Precision.parse(precision);
            } catch (BadInputException e) {
                throw BadInputException.inFile(file, "precision: " + e.getMessage());
            }
        }
        for (Integer e : allEpochs()) {
            if (e == null || e < 1) {
                throw BadInputException.inFile(file, "epochs must be integers >= 1, got " + e);
            }
        }
        if (bucketRuns != null) {
            for (String b : bucketRuns) {
                if (!bm.containsKey(b)) {
                    throw BadInputException.inFile(file, "bucket_runs names '" + b + "', which is not a bucket "
                            + "(buckets: " + bm.keySet() + ")");
                }
            }
        }
        if (mixtures != null) {
            for (var e : mixtures.entrySet()) {
                if (!e.getKey().matches("[A-Za-z0-9._-]+")) {
                    throw BadInputException.inFile(file, "mixture name '" + e.getKey() + "' must be letters, "
                            + "digits, '.', '_' or '-'");
                }
                if (bm.containsKey(e.getKey())) {
                    throw BadInputException.inFile(file, "mixture '" + e.getKey() + "' has a bucket's name");
                }
                if (e.getValue() == null || e.getValue().isEmpty()) {
                    throw BadInputException.inFile(file, "mixture '" + e.getKey() + "' lists no buckets");
                }
                for (String b : e.getValue()) {
                    if (!bm.containsKey(b)) {
                        throw BadInputException.inFile(file, "mixture '" + e.getKey() + "' names '" + b
                                + "', which is not a bucket (buckets: " + bm.keySet() + ")");
                    }
                }
            }
        }
        if (validation != null) {
            if (validation.mixtures() == null || validation.mixtures().isEmpty()
                    || validation.budgets() == null || validation.budgets().isEmpty()) {
                throw BadInputException.inFile(file, "validation needs both \"mixtures\" and \"budgets\"");
            }
            for (String m : validation.mixtures()) {
                if (!bm.containsKey(m) && (mixtures == null || !mixtures.containsKey(m))) {
                    throw BadInputException.inFile(file, "validation mixture '" + m + "' is neither a mixture nor "
                            + "a bucket");
                }
            }
            for (String s : validation.budgets()) {
                if (!(count(file, "validation.budgets", s) > 0)) {
                    throw BadInputException.inFile(file, "validation.budgets: every budget must be > 0 samples, got "
                            + s);
                }
            }
        }
        for (Stage s : stagesOrDefault()) {
            if (s.name() == null || !s.name().matches("[A-Za-z0-9._-]+") || s.command() == null
                    || s.command().isEmpty()) {
                throw BadInputException.inFile(file, "every stage needs a \"name\" (letters, digits, '.', '_', '-') "
                        + "and a non-empty \"command\" list");
            }
        }
        if (local != null) {
            local.validate(file);
        }
        if (learnability != null) {
            learnability.validate(file, this);
        }
    }

    /** A sample count of this file; a bad one is a one-line error naming the file and key. */
    private static double count(Path file, String key, String text) {
        try {
            return SampleCount.parse(text);
        } catch (BadInputException e) {
            throw BadInputException.inFile(file, key + ": " + e.getMessage());
        }
    }

    /** A mixture's (or a bucket's) buckets. */
    public List<String> partsOf(String mixture) {
        return mixtures != null && mixtures.containsKey(mixture) ? mixtures.get(mixture) : List.of(mixture);
    }

    private List<Integer> allEpochs() {
        List<Integer> all = new ArrayList<>(epochs == null ? List.of() : epochs);
        if (buckets != null) {
            for (Bucket b : buckets) {
                if (b.epochs() != null) {
                    all.addAll(b.epochs());
                }
            }
        }
        return all;
    }
}
