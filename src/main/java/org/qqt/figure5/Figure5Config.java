package org.qqt.figure5;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qqt.eval.DatacompTasks;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.scaling.FitOptions;
import org.qqt.scaling.GridAxis;
import org.qqt.scaling.LawForm;
import org.qqt.scaling.MixtureOrder;
import org.qqt.scaling.Objective;
import org.qqt.sweep.SweepConfig;
import org.qqt.train.TrainConfig;

/**
 * A {@code qqt figure5} config: a sweep config ({@link SweepConfig}: pool, buckets, mixtures, validation runs, model,
 * executor) plus the three sections only figure5 reads — {@code world} (synthesize the pool), {@code teacher} (train
 * a teacher and score the pool) and {@code figure5} (fit, curves, bootstrap). The law, objective, mixture order and
 * fit grid are parsed by their owners in {@code scaling}; defaults not given here are the fit's own
 * ({@link FitOptions#defaults}). See docs/sweeps.md, "qqt figure5".
 */
public record Figure5Config(SweepConfig sweep, World world, Teacher teacher, Section figure5) {

    /** Generate the synthetic world into {@code out} from a world {@code config} and seed. */
    public record World(String config, Long seed, String out) {
        public long seedOrDefault() {
            return seed == null ? 0 : seed;
        }
    }

    /** Train a teacher on the world's clean teacher set and score the pool into {@code column}. */
    public record Teacher(String model, @JsonProperty("samples_seen") String samplesSeen, Integer batch, Double lr,
                          Long seed, String column) {
        public int batchOrDefault() {
            return batch == null ? TrainConfig.DEFAULT_BATCH : batch;
        }

        public double lrOrDefault() {
            return lr == null ? TrainConfig.DEFAULT_LR : lr;
        }

        public long seedOrDefault() {
            return seed == null ? 0 : seed;
        }

        public String columnOrDefault() {
            return column == null ? "teacher_score" : column;
        }
    }

    /**
     * The {@code figure5} section: the metric fitted, the mixtures drawn, the budget range of the curves, the
     * bootstrap draws, the law's conventions and the fit's grid (as {@code qqt fit}'s --a-max, --b-range,
     * --tau-range). Unset keys take the fit's defaults.
     */
    public record Section(String metric, List<String> mixtures, List<String> budgets, Integer bootstrap, String law,
                          String objective, String order, Double d, Double a, String normalizer,
                          @JsonProperty("a_max") Double aMax, @JsonProperty("b_range") String bRange,
                          @JsonProperty("tau_range") String tauRange) {
        public String metricOrDefault() {
            return metric == null ? DatacompTasks.IMAGENET : metric;
        }

        public int bootstrapOrDefault() {
            return bootstrap == null ? 200 : bootstrap;
        }

        public LawForm lawForm() {
            return law == null ? LawForm.ADDITIVE : LawForm.parse(law);
        }

        public Objective objectiveKind() {
            return objective == null ? Objective.UTILITY : Objective.parse(objective);
        }

        public MixtureOrder mixtureOrder() {
            return order == null ? MixtureOrder.RANK : MixtureOrder.parse(order);
        }

        /** The fit's defaults for this law and objective (the grid, N0 and d of {@code qqt fit}). */
        private FitOptions fitDefaults() {
            return FitOptions.defaults(lawForm(), objectiveKind(), d == null ? FitOptions.DEFAULT_D : d);
        }

        public double dOrDefault() {
            return fitDefaults().d().get(0);
        }

        /** N0 of n = a·samples/N0 (default as qqt fit). */
        public double normalizerOrDefault() {
            return normalizer == null ? fitDefaults().normalizer() : SampleCount.parse(normalizer);
        }

        /** The a grid: fixed at {@code a}, else from the fit's lower end to a_max (default as qqt fit). */
        public GridAxis aGrid() {
            GridAxis dflt = fitDefaults().a();
            return a != null ? new GridAxis(a, a, 1)
                    : aMax == null ? dflt : new GridAxis(dflt.min(), aMax, dflt.steps());
        }

        /** The b grid, MIN:MAX:STEPS (default as qqt fit). */
        public GridAxis bGrid() {
            return bRange == null ? fitDefaults().b() : GridAxis.parse("figure5.b_range", bRange);
        }

        /** The tau grid, MIN:MAX:STEPS (default as qqt fit). */
        public GridAxis tauGrid() {
            return tauRange == null ? fitDefaults().tau() : GridAxis.parse("figure5.tau_range", tauRange);
        }
    }

    /** The figure5 keys of the file; everything else is the sweep's ({@link SweepConfig} ignores these three). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Sections(World world, Teacher teacher, Section figure5) {}

    /** Reads and validates a figure5 config; any problem is a one-line BadInputException naming the file. */
    public static Figure5Config load(Path file) {
        SweepConfig sweep = SweepConfig.load(file);
        Sections s = Json.read(file, Sections.class);
        Figure5Config c = new Figure5Config(sweep, s.world(), s.teacher(), s.figure5());
        c.validate(file);
        return c;
    }

    /** The column the buckets are cut on: {@code score}, else the teacher's column. */
    public String scoreColumn() {
        return sweep.score() != null ? sweep.score() : teacher.columnOrDefault();
    }

    /** The mixtures drawn in Figure 5: figure5.mixtures, else the validation mixtures. */
    public List<String> drawnMixtures() {
        if (figure5 != null && figure5.mixtures() != null && !figure5.mixtures().isEmpty()) {
            return figure5.mixtures();
        }
        return sweep.validation() == null ? List.of() : sweep.validation().mixtures();
    }

    private void validate(Path file) {
        SweepConfig c = sweep;
        if (world != null) {
            if (world.config() == null || world.out() == null) {
                throw BadInputException.inFile(file, "world needs \"config\" (a world config, e.g. "
                        + "configs/world-tiny.yaml) and \"out\" (the directory qqt synth writes)");
            }
            if (world.seed() != null && world.seed() < 0) {
                throw BadInputException.inFile(file, "world.seed must be >= 0, got " + world.seed());
            }
            Path wantPool = Path.of(world.out()).resolve("pool").normalize();
            if (!Path.of(c.pool()).normalize().equals(wantPool)) {
                throw BadInputException.inFile(file, "pool is " + c.pool() + " but world.out is " + world.out()
                        + ": set pool: " + wantPool + " (qqt figure5 generates the pool there)");
            }
        }
        if (teacher != null) {
            validateTeacher(file);
        }
        if (figure5 != null) {
            validateSection(file);
        }
    }

    private void validateTeacher(Path file) {
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
        if (sweep.score() != null && !sweep.score().equals(teacher.columnOrDefault())) {
            throw BadInputException.inFile(file, "score is '" + sweep.score() + "' but the teacher writes column '"
                    + teacher.columnOrDefault() + "': make them the same");
        }
    }

    private void validateSection(Path file) {
        SweepConfig c = sweep;
        Section f5 = figure5;
        if (c.score() == null && teacher == null) {
            throw BadInputException.inFile(file, "figure5 needs \"score\" (the column the buckets are cut on, "
                    + "e.g. clip_l14_similarity_score) or a teacher section");
        }
        if (c.buckets() == null || c.buckets().isEmpty() || c.validation() == null) {
            throw BadInputException.inFile(file, "figure5 needs \"buckets\" (bucket runs feed the fit) and "
                    + "\"validation\" (the actual points)");
        }
        if (!f5.metricOrDefault().matches("[A-Za-z0-9_./:-]+")) {
            throw BadInputException.inFile(file, "figure5.metric '" + f5.metricOrDefault() + "': use imagenet1k, "
                    + "avg18, mean, soft_mean, soft:<task> or a task key");
        }
        if (f5.bootstrapOrDefault() < 0) {
            throw BadInputException.inFile(file, "figure5.bootstrap must be >= 0, got " + f5.bootstrap());
        }
        if (f5.d() != null && (!Double.isFinite(f5.d()) || f5.d() < 0)) {
            throw BadInputException.inFile(file, "figure5.d must be a number >= 0, got " + f5.d());
        }
        parsed(file, "figure5.law", f5::lawForm);
        parsed(file, "figure5.objective", f5::objectiveKind);
        parsed(file, "figure5.order", f5::mixtureOrder);
        if (f5.normalizer() != null && !(SampleCount.parse(f5.normalizer()) > 0)) {
            throw BadInputException.inFile(file, "figure5.normalizer (N0) must be > 0, got " + f5.normalizer());
        }
        if (f5.a() != null && !(f5.a() > 0)) {
            throw BadInputException.inFile(file, "figure5.a fixes a and must be > 0, got " + f5.a());
        }
        if (f5.a() != null && f5.aMax() != null) {
            throw BadInputException.inFile(file, "figure5: give a (fixed) or a_max (top of the grid), not both");
        }
        double aMin = f5.fitDefaults().a().min();
        if (f5.aMax() != null && !(f5.aMax() > aMin)) {
            throw BadInputException.inFile(file, "figure5.a_max must be > " + aMin + " (the grid starts there), got "
                    + f5.aMax());
        }
        parsed(file, "figure5.b_range", f5::bGrid); // parse and check the grids now, not after the bucket runs
        parsed(file, "figure5.tau_range", f5::tauGrid);
        Map<String, SweepConfig.Bucket> bm = c.bucketMap();
        Set<String> fitted = new HashSet<>(c.bucketRuns() != null ? c.bucketRuns() : bm.keySet());
        List<String> drawn = new ArrayList<>(drawnMixtures());
        drawn.addAll(c.validation().mixtures());
        for (String mix : drawn) {
            if (!bm.containsKey(mix) && (c.mixtures() == null || !c.mixtures().containsKey(mix))) {
                throw BadInputException.inFile(file, "figure5 mixture '" + mix + "' is neither a mixture nor a "
                        + "bucket");
            }
            for (String b : c.partsOf(mix)) {
                if (!fitted.contains(b)) {
                    throw BadInputException.inFile(file, "mixture '" + mix + "' uses bucket '" + b + "', which has "
                            + "no bucket runs to fit (add it to bucket_runs)");
                }
            }
        }
        if (f5.budgets() != null) {
            if (f5.budgets().size() != 2) {
                throw BadInputException.inFile(file, "figure5.budgets is the x-range of the curves: two sample "
                        + "counts [from, to], e.g. [10k, 1M]");
            }
            double lo = SampleCount.parse(f5.budgets().get(0));
            double hi = SampleCount.parse(f5.budgets().get(1));
            if (!(lo > 0) || !(hi > lo)) {
                throw BadInputException.inFile(file, "figure5.budgets needs 0 < from < to, got " + f5.budgets());
            }
        }
    }

    /** Runs an owner's parser now, so a bad value fails before any run; its message gets the key and file. */
    private static void parsed(Path file, String key, java.util.function.Supplier<?> parse) {
        try {
            parse.get();
        } catch (BadInputException e) {
            String msg = e.getMessage();
            throw BadInputException.inFile(file, msg.startsWith(key) ? msg : key + ": " + msg);
        }
    }
}
