package org.qqt.figure5;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.qqt.data.PoolLayout;
import org.qqt.io.SampleCount;
import org.qqt.scaling.Mixture;
import org.qqt.scaling.Observation;
import org.qqt.scaling.Predictor;
import org.qqt.scaling.RunsTree;
import org.qqt.scaling.ScalingParams;
import org.qqt.sweep.RunSpec;
import org.qqt.sweep.RunState;
import org.qqt.sweep.SweepConfig;
import org.qqt.sweep.SweepPlan;
import org.qqt.sweep.SweepVocabulary;

/**
 * What the steps of one {@code qqt figure5} invocation share: the config and options, the planned runs, the sweep
 * directory and the paths in it, and the finished runs' observations (read once per invocation).
 */
final class Figure5Context {
    final Figure5Pipeline.Options options;
    final PrintStream out;
    final Figure5Config config;
    final SweepConfig sweep;
    final Figure5Config.Section figure5;
    final SweepPlan plan;
    final Path dir;
    private List<Observation> bucketObservations;
    private Map<String, Map<Double, List<Observation>>> validationObservations;
    private boolean vocabularyEnsured;
    private Path vocabulary;

    Figure5Context(Figure5Pipeline.Options options, PrintStream out, Figure5Config config, SweepPlan plan) {
        this.options = options;
        this.out = out;
        this.config = config;
        this.sweep = config.sweep();
        this.figure5 = config.figure5();
        this.plan = plan;
        this.dir = plan.sweepDir();
    }

    // ---------------------------------------------------------------- paths

    Path abs(String path) {
        return options.base().resolve(path).toAbsolutePath().normalize();
    }

    Path pool() {
        return abs(sweep.pool());
    }

    Path worldOut() {
        return abs(config.world().out());
    }

    Path teacherDir() {
        return dir.resolve("teacher");
    }

    Path subsetsDir() {
        return sweep.subsets() == null ? dir.resolve("subsets") : abs(sweep.subsets());
    }

    Path subsetFile(String name) {
        return subsetsDir().resolve(name + ".npy");
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** The pool's metadata: {@code metadata.parquet}, else a {@code metadata/} directory of parquet files. */
    Path metadata() {
        Path f = PoolLayout.metadata(pool());
        return Files.exists(f) || !Files.isDirectory(pool().resolve("metadata")) ? f : pool().resolve("metadata");
    }

    /**
     * The sweep's one vocabulary (pool, teacher set, prompts), built once before the teacher or any run trains;
     * null where the sweep's runs do not use a compact vocabulary. Ensured once per invocation.
     */
    Path sweepVocabulary() {
        if (!vocabularyEnsured) {
            List<Path> teacherPool = config.world() == null || config.teacher() == null ? List.of()
                    : List.of(worldOut().resolve("teacher"));
            vocabulary = SweepVocabulary.ensureFor(sweep, options.base(), dir, teacherPool, threads());
            vocabularyEnsured = true;
        }
        return vocabulary;
    }

    /** The score marker: which teacher checkpoint wrote the score column. */
    Path scoreMarkerFile() {
        return teacherDir().resolve("score-" + config.scoreColumn() + ".json");
    }

    // ---------------------------------------------------------------- engine

    int threads() {
        Integer t = options.threads();
        return t != null && t > 0 ? t : Runtime.getRuntime().availableProcessors();
    }

    Device device() {
        Device dev = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        if (options.threads() != null && options.threads() > 0) {
            JniUtils.setNumThreads(options.threads());
        }
        return dev;
    }

    // ---------------------------------------------------------------- runs

    List<RunSpec> runsOf(String kind) {
        return plan.runs().stream().filter(r -> r.kind().equals(kind)).toList();
    }

    boolean allDone(String kind) {
        return runsOf(kind).stream().allMatch(r -> Files.isRegularFile(plan.runDir(r.id()).resolve(RunState.DONE)));
    }

    /**
     * One observation per bucket run (every seed is a point of the fit). Read once per invocation: it is only asked
     * for once every bucket run is done (the fit's fingerprint, then the fit), so the runs no longer change.
     */
    List<Observation> bucketObservations() {
        if (bucketObservations == null) {
            List<Observation> all = new ArrayList<>();
            for (RunSpec run : runsOf("bucket")) {
                all.addAll(RunsTree.scan(plan.runDir(run.id()), figure5.metricOrDefault()).observations());
            }
            bucketObservations = all;
        }
        return bucketObservations;
    }

    /** Per (mixture, budget): the seeds' errors. Read once, like {@link #bucketObservations}. */
    Map<String, Map<Double, List<Observation>>> validationObservations() {
        if (validationObservations == null) {
            Map<String, Map<Double, List<Observation>>> byMixture = new LinkedHashMap<>();
            for (String mixture : sweep.validation().mixtures()) {
                byMixture.put(mixture, new TreeMap<>());
            }
            for (RunSpec run : runsOf("validation")) {
                for (Observation o : RunsTree.scan(plan.runDir(run.id()), figure5.metricOrDefault()).observations()) {
                    byMixture.computeIfAbsent(run.poolName(), k -> new TreeMap<>())
                            .computeIfAbsent(o.samplesSeen(), k -> new ArrayList<>()).add(o);
                }
            }
            validationObservations = byMixture;
        }
        return validationObservations;
    }

    // ---------------------------------------------------------------- the fitted law

    /** The law fitted into params.json (read on each call: a step reads it once, after the fit step wrote it). */
    Predictor predictor() {
        return new Predictor(ScalingParams.load(file("params.json")), figure5.lawForm(), figure5.objectiveKind());
    }

    /** A config mixture (or bucket) with the fitted parameters of its buckets, under its config name. */
    Mixture mixture(String name, ScalingParams params) {
        return new Mixture(name, sweep.partsOf(name).stream().map(params::pool).toList());
    }

    /** The mixtures drawn: figure5.mixtures (else the validation mixtures), else the top-k prefixes. */
    List<Mixture> drawnMixtures(ScalingParams params) {
        List<String> names = config.drawnMixtures();
        if (names.isEmpty()) {
            return Mixture.prefixes(params, figure5.mixtureOrder());
        }
        return names.stream().map(n -> mixture(n, params)).toList();
    }

    List<Double> validationBudgets() {
        return sweep.validation().budgets().stream().map(SampleCount::parse).distinct().sorted().toList();
    }

    /** The x-range of the curves: figure5.budgets, else min/max of the validation budgets and bucket runs. */
    double[] range() {
        if (figure5.budgets() != null) {
            return new double[] {SampleCount.parse(figure5.budgets().get(0)),
                    SampleCount.parse(figure5.budgets().get(1))};
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (RunSpec run : plan.runs()) {
            lo = Math.min(lo, run.samplesSeen());
            hi = Math.max(hi, run.samplesSeen());
        }
        return new double[] {lo, hi};
    }
}
