package org.qqt.sweep;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qqt.io.BadInputException;
import org.qqt.scaling.FitOptions;
import org.qqt.scaling.GridAxis;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;

/**
 * A sweep: which runs to train and evaluate, loaded from YAML or JSON (unknown keys are errors). Paths are
 * relative to the directory qqt is started in. See docs/sweeps.md for every key.
 *
 * <p>Two kinds of runs: <b>bucket runs</b> (each bucket trained for each of its epoch counts: samples seen =
 * epochs × bucket size; these feed {@code qqt fit}) and <b>validation runs</b> (each listed mixture at each
 * budget; these are the scatter points of Figure 5). Every run is repeated for each seed.
 */
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
        Local local,
        Slurm slurm,
        World world,
        Teacher teacher,
        Figure5 figure5,
        LearnabilityConfig learnability) {

    /** {@code qqt figure5}: generate the synthetic world into {@code out} from a world {@code config} and seed. */
    public record World(String config, Long seed, String out) {
        public long seedOrDefault() {
            return seed == null ? 0 : seed;
        }
    }

    /**
     * {@code qqt figure5}: train a teacher on the world's clean teacher set and score the pool into {@code column}.
     */
    public record Teacher(String model, @JsonProperty("samples_seen") String samplesSeen, Integer batch, Double lr,
                          Long seed, String column) {
        public int batchOrDefault() {
            return batch == null ? 256 : batch;
        }

        public double lrOrDefault() {
            return lr == null ? 5e-4 : lr;
        }

        public long seedOrDefault() {
            return seed == null ? 0 : seed;
        }

        public String columnOrDefault() {
            return column == null ? "teacher_score" : column;
        }
    }

    /**
     * {@code qqt figure5}: the metric fitted, the mixtures drawn, the budget range of the curves, the bootstrap
     * draws, the law's conventions and the fit's grid (as {@code qqt fit}'s --a-max, --b-range, --tau-range).
     */
    public record Figure5(String metric, List<String> mixtures, List<String> budgets, Integer bootstrap, String law,
                          String objective, String order, Double d, Double a, String normalizer,
                          @JsonProperty("a_max") Double aMax, @JsonProperty("b_range") String bRange,
                          @JsonProperty("tau_range") String tauRange) {
        public String metricOrDefault() {
            return metric == null ? "imagenet1k" : metric;
        }

        public int bootstrapOrDefault() {
            return bootstrap == null ? 200 : bootstrap;
        }

        public String lawOrDefault() {
            return law == null ? "additive" : law;
        }

        public String objectiveOrDefault() {
            return objective == null ? "utility" : objective;
        }

        public String orderOrDefault() {
            return order == null ? "rank" : order;
        }

        public double dOrDefault() {
            return d == null ? 0.1 : d;
        }

        /** N0 of n = a·samples/N0 (default 100,000, as qqt fit). */
        public double normalizerOrDefault() {
            return normalizer == null ? 100_000 : SampleCount.parse(normalizer);
        }

        /** The a grid: fixed at {@code a}, else linspace(1e-4, a_max, 100) (default as qqt fit). */
        public GridAxis aGrid() {
            return a != null ? new GridAxis(a, a, 1) : new GridAxis(1e-4, aMax == null ? FitOptions.DEFAULT_A_MAX : aMax, 100);
        }

        /** The b grid, MIN:MAX:STEPS (default as qqt fit: -0.5:-0.005:100). */
        public GridAxis bGrid() {
            return bRange == null ? FitOptions.DEFAULT_B : GridAxis.parse("figure5.b_range", bRange);
        }

        /** The tau grid, MIN:MAX:STEPS (default as qqt fit: 1:10:100). */
        public GridAxis tauGrid() {
            return tauRange == null ? FitOptions.DEFAULT_TAU : GridAxis.parse("figure5.tau_range", tauRange);
        }
    }

    /** A quality bucket: the samples ranked {@code from}% to {@code to}% by score (0 = best). */
    public record Bucket(String name, Double from, Double to, List<Integer> epochs) {}

    /** Validation runs: each mixture (a name from {@code mixtures} or a bucket) at each budget. */
    public record Validation(List<String> mixtures, List<String> budgets) {}

    /** One stage of a run: a command line (argv) with {placeholders}; see {@link RunSpec#PLACEHOLDERS}. */
    public record Stage(String name, List<String> command) {}

    /** Local executor: {@code workers} runs side by side, each given {@code threads} threads (0 = cores / workers). */
    public record Local(Integer workers, Integer threads) {}

    /** Slurm executor: options of the generated {@code sbatch --array} script. */
    public record Slurm(String partition, Integer gpus, String time, String account,
                        @JsonProperty("cpus_per_task") Integer cpusPerTask, String mem,
                        @JsonProperty("max_parallel") Integer maxParallel, List<String> extra) {}

    /** The default stages: train with qqt train, then evaluate with qqt eval. */
    public static List<Stage> defaultStages() {
        return List.of(
                new Stage("train", List.of("{qqt}", "train", "--pool", "{pool}", "--subset", "{subset}",
                        "--pool-name", "{pool_name}", "--model", "{model}", "--samples-seen", "{samples_seen}",
                        "--batch", "{batch}", "--micro-batch", "{micro_batch}", "--precision", "{precision}",
                        "--lr", "{lr}", "--seed", "{seed}", "--threads", "{threads}", "--out", "{run_dir}")),
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

    public Local localOrDefault() {
        return local == null ? new Local(1, 0) : new Local(local.workers() == null ? 1 : local.workers(),
                local.threads() == null ? 0 : local.threads());
    }

    public Slurm slurmOrDefault() {
        return slurm == null ? new Slurm(null, null, null, null, null, null, null, List.of()) : slurm;
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
            SampleCount.parse(poolSize);
        }
        int global = batch == null ? 256 : batch;
        if (microBatch != null && (microBatch < 0 || microBatch > 0 && global % microBatch != 0)) {
            throw BadInputException.inFile(file, "micro_batch " + microBatch + " must divide batch " + global
                    + " (or be 0: the whole batch)");
        }
        if (precision != null && java.util.Arrays.stream(org.qqt.train.Precision.values())
                .noneMatch(p -> p.name().equals(precision))) {
            throw BadInputException.inFile(file, "precision must be fp32, fp16 or bf16, got '" + precision + "'");
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
                SampleCount.parse(s);
            }
        }
        for (Stage s : stagesOrDefault()) {
            if (s.name() == null || !s.name().matches("[A-Za-z0-9._-]+") || s.command() == null
                    || s.command().isEmpty()) {
                throw BadInputException.inFile(file, "every stage needs a \"name\" (letters, digits, '.', '_', '-') "
                        + "and a non-empty \"command\" list");
            }
        }
        Local l = localOrDefault();
        if (l.workers() < 1 || l.threads() < 0) {
            throw BadInputException.inFile(file, "local.workers must be >= 1 and local.threads >= 0 (0 = cores / "
                    + "workers)");
        }
        if (learnability != null) {
            learnability.validate(file, this);
        }
        validateFigure5(file, bm);
    }

    /** The keys only {@code qqt figure5} reads: world, teacher, figure5. */
    private void validateFigure5(Path file, Map<String, Bucket> bm) {
        if (world != null) {
            if (world.config() == null || world.out() == null) {
                throw BadInputException.inFile(file, "world needs \"config\" (a world config, e.g. "
                        + "configs/world-tiny.yaml) and \"out\" (the directory qqt synth writes)");
            }
            if (world.seed() != null && world.seed() < 0) {
                throw BadInputException.inFile(file, "world.seed must be >= 0, got " + world.seed());
            }
            Path wantPool = Path.of(world.out()).resolve("pool").normalize();
            if (!Path.of(pool).normalize().equals(wantPool)) {
                throw BadInputException.inFile(file, "pool is " + pool + " but world.out is " + world.out()
                        + ": set pool: " + wantPool + " (qqt figure5 generates the pool there)");
            }
        }
        if (teacher != null) {
            if (world == null) {
                throw BadInputException.inFile(file, "teacher needs a world (the teacher trains on <world.out>/teacher); "
                        + "for a real pool drop teacher and set score to an existing column");
            }
            if (teacher.model() == null || teacher.samplesSeen() == null) {
                throw BadInputException.inFile(file, "teacher needs \"model\" (e.g. models/tiny.json) and "
                        + "\"samples_seen\" (e.g. 200k)");
            }
            if (!(SampleCount.parse(teacher.samplesSeen()) >= 1)) {
                throw BadInputException.inFile(file, "teacher.samples_seen must be >= 1");
            }
            if (teacher.batchOrDefault() < 1 || !(teacher.lrOrDefault() > 0) || teacher.seedOrDefault() < 0) {
                throw BadInputException.inFile(file, "teacher.batch must be >= 1, teacher.lr > 0, teacher.seed >= 0");
            }
            if (!teacher.columnOrDefault().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw BadInputException.inFile(file, "teacher.column '" + teacher.column() + "' must be letters, "
                        + "digits and '_' (a parquet column name)");
            }
            if (score != null && !score.equals(teacher.columnOrDefault())) {
                throw BadInputException.inFile(file, "score is '" + score + "' but the teacher writes column '"
                        + teacher.columnOrDefault() + "': make them the same");
            }
        }
        if (figure5 != null) {
            if (score == null && teacher == null) {
                throw BadInputException.inFile(file, "figure5 needs \"score\" (the column the buckets are cut on, "
                        + "e.g. clip_l14_similarity_score) or a teacher section");
            }
            if (buckets == null || buckets.isEmpty() || validation == null) {
                throw BadInputException.inFile(file, "figure5 needs \"buckets\" (bucket runs feed the fit) and "
                        + "\"validation\" (the actual points)");
            }
            String m = figure5.metricOrDefault();
            if (!m.matches("[A-Za-z0-9_./-]+")) {
                throw BadInputException.inFile(file, "figure5.metric '" + m + "': use imagenet1k, avg18, mean or a "
                        + "task key");
            }
            if (figure5.bootstrapOrDefault() < 0) {
                throw BadInputException.inFile(file, "figure5.bootstrap must be >= 0, got " + figure5.bootstrap());
            }
            if (!List.of("additive", "reference").contains(figure5.lawOrDefault())) {
                throw BadInputException.inFile(file, "figure5.law must be additive or reference, got " + figure5.law());
            }
            if (!List.of("utility", "effective-data").contains(figure5.objectiveOrDefault())) {
                throw BadInputException.inFile(file, "figure5.objective must be utility or effective-data, got "
                        + figure5.objective());
            }
            if (!List.of("rank", "b").contains(figure5.orderOrDefault())) {
                throw BadInputException.inFile(file, "figure5.order must be rank or b, got " + figure5.order());
            }
            if (figure5.normalizer() != null && !(SampleCount.parse(figure5.normalizer()) > 0)) {
                throw BadInputException.inFile(file, "figure5.normalizer (N0) must be > 0, got " + figure5.normalizer());
            }
            if (figure5.a() != null && !(figure5.a() > 0)) {
                throw BadInputException.inFile(file, "figure5.a fixes a and must be > 0, got " + figure5.a());
            }
            if (figure5.a() != null && figure5.aMax() != null) {
                throw BadInputException.inFile(file, "figure5: give a (fixed) or a_max (top of the grid), not both");
            }
            if (figure5.aMax() != null && !(figure5.aMax() > 1e-4)) {
                throw BadInputException.inFile(file, "figure5.a_max must be > 1e-4 (the grid starts there), got "
                        + figure5.aMax());
            }
            try {
                figure5.bGrid(); // parse and check the grids now, not after the bucket runs
                figure5.tauGrid();
            } catch (BadInputException e) {
                throw BadInputException.inFile(file, e.getMessage());
            }
            if (!Double.isFinite(figure5.dOrDefault()) || figure5.dOrDefault() < 0) {
                throw BadInputException.inFile(file, "figure5.d must be a number >= 0, got " + figure5.d());
            }
            Set<String> fitted = new HashSet<>(bucketRuns != null ? bucketRuns : bm.keySet());
            List<String> drawn = new ArrayList<>(figure5Mixtures());
            drawn.addAll(validation.mixtures());
            for (String mix : drawn) {
                List<String> parts = mixtures != null && mixtures.containsKey(mix) ? mixtures.get(mix)
                        : bm.containsKey(mix) ? List.of(mix) : null;
                if (parts == null) {
                    throw BadInputException.inFile(file, "figure5 mixture '" + mix + "' is neither a mixture nor a "
                            + "bucket");
                }
                for (String b : parts) {
                    if (!fitted.contains(b)) {
                        throw BadInputException.inFile(file, "mixture '" + mix + "' uses bucket '" + b + "', which has "
                                + "no bucket runs to fit (add it to bucket_runs)");
                    }
                }
            }
            if (figure5.budgets() != null) {
                if (figure5.budgets().size() != 2) {
                    throw BadInputException.inFile(file, "figure5.budgets is the x-range of the curves: two sample "
                            + "counts [from, to], e.g. [10k, 1M]");
                }
                double lo = SampleCount.parse(figure5.budgets().get(0));
                double hi = SampleCount.parse(figure5.budgets().get(1));
                if (!(lo > 0) || !(hi > lo)) {
                    throw BadInputException.inFile(file, "figure5.budgets needs 0 < from < to, got " + figure5.budgets());
                }
            }
        }
    }

    /** The mixtures drawn in Figure 5: figure5.mixtures, else the validation mixtures. */
    public List<String> figure5Mixtures() {
        if (figure5 != null && figure5.mixtures() != null && !figure5.mixtures().isEmpty()) {
            return figure5.mixtures();
        }
        return validation == null ? List.of() : validation.mixtures();
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
