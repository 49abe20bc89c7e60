package org.qqt.report;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.qqt.data.PoolLayout;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.data.Uid;
import org.qqt.eval.RunModel;
import org.qqt.filter.CaptionFilter;
import org.qqt.filter.FilterSpec;
import org.qqt.filter.ScoreFilter;
import org.qqt.filter.ScoreRange;
import org.qqt.io.AtomicFiles;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.model.ModelConfig;
import org.qqt.scaling.FitOptions;
import org.qqt.scaling.FitResult;
import org.qqt.scaling.Fitter;
import org.qqt.scaling.GridAxis;
import org.qqt.scaling.LawForm;
import org.qqt.scaling.Mixture;
import org.qqt.scaling.MixtureOrder;
import org.qqt.scaling.Objective;
import org.qqt.scaling.Observation;
import org.qqt.scaling.ParetoFrontier;
import org.qqt.scaling.PoolParams;
import org.qqt.scaling.Prediction;
import org.qqt.scaling.Predictor;
import org.qqt.scaling.RunsTree;
import org.qqt.scaling.ScalingParams;
import org.qqt.scaling.Validation;
import org.qqt.score.TeacherScorer;
import org.qqt.sweep.LocalExecutor;
import org.qqt.sweep.RunRunner;
import org.qqt.sweep.RunSpec;
import org.qqt.sweep.RunState;
import org.qqt.sweep.SlurmExecutor;
import org.qqt.sweep.SlurmOptions;
import org.qqt.sweep.Sweep;
import org.qqt.sweep.SweepConfig;
import org.qqt.sweep.SeedStats;
import org.qqt.sweep.SweepPlan;
import org.qqt.sweep.SweepVocabulary;
import org.qqt.synth.WorldConfig;
import org.qqt.synth.WorldWriter;
import org.qqt.train.Checkpoint;
import org.qqt.train.DataSources;
import org.qqt.train.RunRecord;
import org.qqt.train.TrainConfig;
import org.qqt.train.Trainer;

/**
 * {@code qqt figure5}: the whole chain of one sweep config, in order — synth → teacher → score → filter → bucket
 * runs → fit → predict → validation runs → validate → figure → report. Every step is idempotent: a step whose
 * outputs exist and whose inputs did not change is skipped ("skip"), so a killed figure5 continues where it
 * stopped. Sweep runs go through the sweep executors (local or Slurm); everything else runs in this process.
 *
 * <p>Outputs in {@code <runs>/<name>/}: params.json, predictions.json, validation.json/.csv, figure5.png/.svg,
 * report.md, report.html, and figure5-state.json (each step's input fingerprint and wall time).
 */
public final class Figure5Pipeline {
    /** The steps, in order. */
    public static final List<String> STEPS = List.of("synth", "teacher", "score", "filter", "bucket-runs", "fit",
            "predict", "validation-runs", "validate", "figure", "report");

    static final String STATE = "figure5-state.json";

    /**
     * How to run: the config file, the directory its relative paths resolve against, the launcher the sweep runs
     * call, the executor ("local" or "slurm") with its settings, and the command line (recorded in the report).
     */
    public record Options(Path config, Path base, Path launcher, String executor, Integer workers, Integer threads,
                          SlurmOptions slurm, String commandLine) {}

    /** What one invocation did: per step "done" or "skip", and its wall time. */
    public record Result(Path sweepDir, Map<String, String> steps, double seconds, Path report) {}

    private final Options opt;
    private final PrintStream out;
    private final SweepConfig c;
    private final SweepConfig.Figure5 f5;
    private final SweepPlan plan;
    private final Path dir;
    private final Map<String, Object> state;
    private final Map<String, String> outcome = new LinkedHashMap<>();
    private final long t0 = System.nanoTime();
    /** The finished runs' observations, read once (see {@link #bucketObservations}). */
    private List<Observation> bucketObs;
    private Map<String, Map<Double, List<Observation>>> validationObs;

    public Figure5Pipeline(Options opt, PrintStream out) {
        this.opt = opt;
        this.out = out;
        this.c = SweepConfig.load(opt.config());
        if (c.figure5() == null) {
            throw BadInputException.inFile(opt.config(), "no \"figure5\" section: add one (e.g. figure5: {metric: "
                    + "imagenet1k}), see docs/sweeps.md \"qqt figure5\"");
        }
        if (c.poolSize() == null || c.validation() == null) {
            throw BadInputException.inFile(opt.config(), "qqt figure5 needs pool_size and validation");
        }
        this.f5 = c.figure5();
        this.plan = SweepPlan.of(c, opt.base(), opt.launcher());
        this.dir = plan.sweepDir();
        Path sf = dir.resolve(STATE);
        this.state = Files.isRegularFile(sf) ? new TreeMap<>(Json.read(sf, Map.class)) : new TreeMap<>();
    }

    /** Runs every step (skipping finished ones); returns what each did. */
    public Result run() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        recordInvocation();
        step("synth", this::synthSkip, this::synth);
        step("teacher", this::teacherSkip, this::teacher);
        step("score", this::scoreSkip, this::score);
        step("filter", () -> fingerprintSkip("filter", filterFingerprint(), subsetFiles()), this::filter);
        step("bucket-runs", () -> runsSkip("bucket"), () -> runs("bucket"));
        step("fit", () -> fingerprintSkip("fit", fitFingerprint(), List.of(dir.resolve("params.json"))), this::fit);
        step("predict", () -> fingerprintSkip("predict", predictFingerprint(),
                List.of(dir.resolve("predictions.json"))), this::predict);
        step("validation-runs", () -> runsSkip("validation"), () -> runs("validation"));
        step("validate", () -> fingerprintSkip("validate", validateFingerprint(),
                List.of(dir.resolve("validation.json"), dir.resolve("validation.csv"))), this::validate);
        step("figure", () -> fingerprintSkip("figure", figureFingerprint(),
                List.of(dir.resolve("figure5.png"), dir.resolve("figure5.svg"))), this::figure);
        step("report", () -> fingerprintSkip("report", reportFingerprint(),
                List.of(dir.resolve("report.md"), dir.resolve("report.html"))), this::report);
        double secs = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "qqt figure5: total wall time %.1f s (this invocation); report %s%n", secs,
                dir.resolve("report.html"));
        out.flush();
        return new Result(dir, outcome, secs, dir.resolve("report.html"));
    }

    // ---------------------------------------------------------------- step bookkeeping

    private void step(String name, Supplier<String> skipReason, Runnable work) {
        String why = skipReason.get();
        if (why != null) {
            outcome.put(name, "skip");
            out.printf(Locale.ROOT, "[%7.1fs] %-16s skip (%s)%n", elapsed(), name, why);
            out.flush();
            return;
        }
        out.printf(Locale.ROOT, "[%7.1fs] %-16s start%n", elapsed(), name);
        out.flush();
        long s = System.nanoTime();
        work.run();
        double secs = (System.nanoTime() - s) / 1e9;
        Map<String, Object> st = stepState(name);
        st.put("seconds", Math.round(secs * 10) / 10.0);
        st.put("finished", Instant.now().toString());
        saveState();
        outcome.put(name, "done");
        out.printf(Locale.ROOT, "[%7.1fs] %-16s done in %.1f s%n", elapsed(), name, secs);
        out.flush();
    }

    private double elapsed() {
        return (System.nanoTime() - t0) / 1e9;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> stepState(String name) {
        Map<String, Object> steps = (Map<String, Object>) state.computeIfAbsent("steps", k -> new TreeMap<>());
        return (Map<String, Object>) steps.computeIfAbsent(name, k -> new TreeMap<>());
    }

    private void saveState() {
        Json.write(dir.resolve(STATE), state);
    }

    @SuppressWarnings("unchecked")
    private void recordInvocation() {
        List<Object> inv = (List<Object>) state.computeIfAbsent("invocations", k -> new ArrayList<>());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started", Instant.now().toString());
        m.put("command", opt.commandLine());
        inv.add(m);
        saveState();
    }

    /** Skips when the step ran with the same input fingerprint and its outputs exist. */
    private String fingerprintSkip(String name, String fingerprint, List<Path> outputs) {
        Map<String, Object> st = stepState(name);
        boolean same = fingerprint.equals(st.get("fingerprint")) && st.get("finished") != null
                && outputs.stream().allMatch(Files::isRegularFile);
        st.put("fingerprint", fingerprint);
        if (!same) {
            st.remove("finished");
        }
        return same ? "inputs unchanged since " + st.get("finished") : null;
    }

    // ---------------------------------------------------------------- paths

    private Path abs(String p) {
        return opt.base().resolve(p).toAbsolutePath().normalize();
    }

    private Path pool() {
        return abs(c.pool());
    }

    private Path worldOut() {
        return abs(c.world().out());
    }

    private Path teacherDir() {
        return dir.resolve("teacher");
    }

    private Path subsetsDir() {
        return c.subsets() == null ? dir.resolve("subsets") : abs(c.subsets());
    }

    private String scoreColumn() {
        return c.score() != null ? c.score() : c.teacher().columnOrDefault();
    }

    /** The pool's metadata: {@code metadata.parquet}, else a {@code metadata/} directory of parquet files. */
    private Path metadata() {
        Path f = PoolLayout.metadata(pool());
        return Files.exists(f) || !Files.isDirectory(pool().resolve("metadata")) ? f : pool().resolve("metadata");
    }

    // ---------------------------------------------------------------- synth

    private WorldConfig worldConfig() {
        Path f = abs(c.world().config());
        WorldConfig w = WorldConfig.load(f);
        double ps = SampleCount.parse(c.poolSize());
        if (Math.rint(ps) != w.poolSize()) {
            throw BadInputException.inFile(opt.config(), "pool_size is " + c.poolSize() + " but the world config "
                    + f + " makes a pool of " + w.poolSize() + " samples; set pool_size: " + w.poolSize());
        }
        return w;
    }

    private String synthSkip() {
        if (c.world() == null) {
            return "no world section: the pool " + pool() + " is given";
        }
        WorldConfig w = worldConfig();
        Path wj = worldOut().resolve("world.json");
        if (!Files.isRegularFile(wj)) {
            return null;
        }
        JsonNode node = Json.readTree(wj);
        boolean same = node.path("config").equals(Json.mapper().valueToTree(w))
                && node.path("seed").asLong(-1) == c.world().seedOrDefault()
                && !node.path("counts").path("metadata_only").asBoolean(false);
        if (!same) {
            throw BadInputException.inFile(opt.config(), worldOut() + " holds a world made from another config or "
                    + "seed (see its world.json); delete it or change world.out");
        }
        return "world.json in " + worldOut() + " matches the config and seed";
    }

    private void synth() {
        WorldConfig w = worldConfig();
        Path outDir = worldOut();
        Path marker = dir.resolve(".synth-started");
        try {
            if (Files.isDirectory(outDir) && !Files.exists(outDir.resolve("world.json")) && Files.isRegularFile(marker)
                    && Files.readString(marker).trim().equals(outDir.toString())) {
                AtomicFiles.deleteTree(outDir); // our own interrupted synth: start it again
            }
            AtomicFiles.writeString(marker, outDir + "\n");
            new WorldWriter(w, c.world().seedOrDefault(), threads(), out).write(outDir, false);
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int threads() {
        return opt.threads() != null && opt.threads() > 0 ? opt.threads() : Runtime.getRuntime().availableProcessors();
    }

    // ---------------------------------------------------------------- teacher

    private TrainConfig teacherConfig(ModelConfig m) {
        SweepConfig.Teacher t = c.teacher();
        return TrainConfig.defaults(m, (long) SampleCount.parse(t.samplesSeen()), t.batchOrDefault(),
                t.lrOrDefault(), t.seedOrDefault()).withCheckpointEvery(500);
    }

    private String teacherSkip() {
        if (c.teacher() == null) {
            return "no teacher section: the pool's score column " + c.score() + " is used";
        }
        Path run = teacherDir();
        Path rj = run.resolve(RunRecord.FILE);
        if (Files.isRegularFile(rj) && Files.isRegularFile(Checkpoint.latest(run))) {
            RunRecord rec = Json.read(rj, RunRecord.class);
            ModelConfig m = ModelConfig.load(abs(c.teacher().model()));
            TrainConfig want = teacherConfig(rec.config().model());
            if (!rec.config().sameRunAs(want) || !rec.config().model().name().equals(m.name())) {
                throw BadInputException.inFile(rj, "holds a teacher trained with other settings than the config's "
                        + "teacher section; delete " + run + " (and the score column) or change the sweep name");
            }
            if (RunRecord.DONE.equals(rec.status())) {
                return "teacher " + run + " finished (" + rec.stepsDone() + " steps)";
            }
        }
        return null;
    }

    private void teacher() {
        SweepConfig.Teacher t = c.teacher();
        Path teacherPool = worldOut().resolve("teacher");
        Path subset = dir.resolve("teacher-subset").resolve("teacher.npy");
        if (!Files.isRegularFile(subset)) {
            List<Uid> uids;
            try (PoolMetadata pm = PoolMetadata.open(PoolLayout.metadata(teacherPool))) {
                uids = pm.uids();
            }
            try {
                Files.createDirectories(subset.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SubsetFile.of(uids).write(subset);
        }
        ModelConfig m = ModelConfig.load(abs(t.model()));
        int rows = SubsetFile.read(subset).size();
        if (t.batchOrDefault() > rows) {
            throw BadInputException.inFile(opt.config(), "teacher.batch " + t.batchOrDefault() + " is larger than the "
                    + "teacher set (" + rows + " samples); lower it");
        }
        Path run = teacherDir();
        DataSources.Prepared prepared = DataSources.prepare(teacherPool, subset, null, m, run, sweepVocabulary());
        TrainConfig tc = teacherConfig(prepared.model());
        Device dev = device();
        Trainer trainer = new Trainer(tc, run, dev, out);
        DataSources.Opened opened = prepared.open(t.seedOrDefault(), t.batchOrDefault(), threads(), "teacher",
                teacherPool);
        if (opened.warning() != null) {
            out.println(opened.warning());
        }
        prepared.saveVocab(run);
        try (var source = opened.loader()) {
            trainer.run(source, opened.info());
        }
    }

    private Device device() {
        Device dev = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        if (opt.threads() != null && opt.threads() > 0) {
            JniUtils.setNumThreads(opt.threads());
        }
        return dev;
    }

    // ---------------------------------------------------------------- score

    private Map<String, Object> scoreMarker() {
        Path ckpt = Checkpoint.latest(teacherDir());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pool", pool().toString());
        m.put("column", scoreColumn());
        m.put("teacher_checkpoint", ckpt.toString());
        m.put("checkpoint_sha256", sha256(ckpt));
        return m;
    }

    private Path scoreMarkerFile() {
        return teacherDir().resolve("score-" + scoreColumn() + ".json");
    }

    private boolean hasColumn(String column) {
        if (!Files.exists(metadata())) {
            throw BadInputException.inFile(metadata(), "no pool metadata (metadata.parquet) in " + pool());
        }
        try (PoolMetadata pm = PoolMetadata.open(metadata())) {
            return pm.schema().containsKey(column);
        }
    }

    private String scoreSkip() {
        if (c.teacher() == null) {
            if (!hasColumn(scoreColumn())) {
                throw BadInputException.inFile(metadata(), "has no column '" + scoreColumn() + "' (score in "
                        + opt.config() + "); add a teacher section or name an existing column");
            }
            return "column " + scoreColumn() + " exists; no teacher";
        }
        Path mf = scoreMarkerFile();
        if (hasColumn(scoreColumn()) && Files.isRegularFile(mf)
                && Json.readTree(mf).equals(Json.mapper().valueToTree(scoreMarker()))) {
            return "column " + scoreColumn() + " came from this teacher checkpoint";
        }
        return null;
    }

    private void score() {
        int batch = 512;
        try (RunModel model = RunModel.open(teacherDir(), null, device())) {
            TeacherScorer scorer = new TeacherScorer(model.encoder(batch), batch, line -> out.println("  " + line));
            TeacherScorer.Result r = scorer.scorePool(pool(), scoreColumn());
            out.printf(Locale.ROOT, "  scored %d samples into %s (%d undecodable, %d without caption)%n", r.scored(),
                    scoreColumn(), r.undecodable(), r.noCaption());
        }
        Json.write(scoreMarkerFile(), scoreMarker());
    }

    // ---------------------------------------------------------------- filter

    private List<String> subsetNames() {
        List<String> names = new ArrayList<>(c.bucketMap().keySet());
        for (String m : c.validation().mixtures()) {
            if (!names.contains(m)) {
                names.add(m);
            }
        }
        return names;
    }

    private List<Path> subsetFiles() {
        return subsetNames().stream().map(n -> subsetsDir().resolve(n + ".npy")).toList();
    }

    private String filterFingerprint() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pool", pool().toString());
        m.put("score", scoreColumn());
        m.put("buckets", c.buckets());
        m.put("mixtures", c.validation().mixtures().stream().map(x -> x + "=" + c.partsOf(x)).toList());
        m.put("scored_by", c.teacher() == null ? "pool" : Files.isRegularFile(scoreMarkerFile())
                ? Json.readTree(scoreMarkerFile()).path("checkpoint_sha256").asText() : "?");
        return hash(Json.compact(m));
    }

    private void filter() {
        List<ScoreRange> ranges = new ArrayList<>();
        for (SweepConfig.Bucket b : c.buckets()) {
            ranges.add(new ScoreRange(b.from(), b.to()));
        }
        FilterSpec spec = new FilterSpec(scoreColumn(), ranges, null, 0, CaptionFilter.NONE);
        Path work = subsetsDir().resolve(".filter");
        try (PoolMetadata pm = PoolMetadata.open(metadata())) {
            ScoreFilter.run(pm, spec, work, "qqt figure5 --config " + opt.config());
        }
        try {
            int i = 0;
            for (SweepConfig.Bucket b : c.buckets()) {
                Path from = work.resolve(spec.fileName(ranges.get(i++)));
                AtomicFiles.writeBytes(subsetsDir().resolve(b.name() + ".npy"), Files.readAllBytes(from));
            }
            for (String m : c.validation().mixtures()) {
                if (c.bucketMap().containsKey(m)) {
                    continue;
                }
                List<Uid> all = new ArrayList<>();
                for (String b : c.partsOf(m)) {
                    all.addAll(SubsetFile.read(subsetsDir().resolve(b + ".npy")).uids());
                }
                SubsetFile.of(all).write(subsetsDir().resolve(m + ".npy"));
            }
            Files.copy(work.resolve("manifest.json"), subsetsDir().resolve("manifest.json"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String n : subsetNames()) {
            out.printf(Locale.ROOT, "  %-14s %8d samples%n", n, SubsetFile.read(subsetsDir().resolve(n + ".npy")).size());
        }
    }

    // ---------------------------------------------------------------- sweep runs

    private List<RunSpec> runsOf(String kind) {
        return plan.runs().stream().filter(r -> r.kind().equals(kind)).toList();
    }

    private String runsSkip(String kind) {
        List<RunSpec> rs = runsOf(kind);
        boolean all = rs.stream().allMatch(r -> Files.isRegularFile(plan.runDir(r.id()).resolve(RunState.DONE)));
        return all ? "all " + rs.size() + " " + kind + " runs are done" : null;
    }

    /** The sweep's one vocabulary (pool, teacher set, prompts), built once before the teacher or any run trains. */
    private Path sweepVocabulary() {
        Path teacherPool = c.world() == null || c.teacher() == null ? null : worldOut().resolve("teacher");
        return SweepVocabulary.ensureFor(c, opt.base(), dir, teacherPool == null ? List.of() : List.of(teacherPool),
                threads());
    }

    private void runs(String kind) {
        sweepVocabulary();
        plan.writeSpecs();
        SlurmExecutor slurm = new SlurmExecutor(Map.of());
        Map<String, String> queue = slurm.queue(dir);
        List<String> ids = runsOf(kind).stream().map(RunSpec::id).toList();
        List<RunState> states = Sweep.status(plan, queue, 0);
        List<RunSpec> todo = Sweep.toRun(plan, states, true, ids);
        out.printf(Locale.ROOT, "  %d %s runs, %d to run (%s executor)%n", ids.size(), kind, todo.size(),
                opt.executor());
        out.flush();
        try {
            if ("slurm".equals(opt.executor())) {
                if (!todo.isEmpty()) {
                    String job = slurm.submit(plan, todo, opt.launcher(), opt.slurm(), false);
                    out.println("  submitted Slurm job array " + job + "; waiting (logs in " + dir.resolve("slurm") + ")");
                    out.flush();
                    slurm.await(job, dir, 0, 5000);
                }
                // runs queued by an earlier invocation: wait until none of ours is in the queue
                while (slurm.queue(dir).keySet().stream().anyMatch(ids::contains)) {
                    Thread.sleep(5000);
                }
            } else {
                LocalExecutor ex = LocalExecutor.of(c, opt.base(), opt.workers(), opt.threads(), new RunRunner());
                out.println("  " + ex.describe());
                long s = System.nanoTime();
                ex.runStoppable(plan, todo, (r, o) -> {
                    synchronized (out) {
                        out.printf(Locale.ROOT, "  [%6.1fs] %s %s%n", (System.nanoTime() - s) / 1e9, o, r.id());
                        out.flush();
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the " + kind + " runs", e);
        }
        List<RunState> after = Sweep.status(plan, slurm.queue(dir), 10);
        List<RunState> bad = after.stream().filter(st -> ids.contains(st.id()) && st.state() != RunState.State.done)
                .toList();
        if (!bad.isEmpty()) {
            RunState first = bad.get(0);
            throw new BadInputException(bad.size() + " " + kind + " run(s) did not finish, e.g. " + first.id() + " ("
                    + first.state() + (first.detail().isEmpty() ? "" : ": " + first.detail()) + "; log "
                    + plan.runDir(first.id()).resolve(RunState.LOG) + (first.logTail().isEmpty() ? "" : " ends: "
                    + first.logTail().get(first.logTail().size() - 1)) + "); fix it and run qqt figure5 again");
        }
    }

    // ---------------------------------------------------------------- fit

    private List<String> fittedBuckets() {
        List<String> names = new ArrayList<>();
        for (SweepConfig.Bucket b : c.buckets()) {
            if (c.bucketRuns() == null || c.bucketRuns().contains(b.name())) {
                names.add(b.name());
            }
        }
        return names;
    }

    /**
     * One observation per bucket run (every seed is a point of the fit). Read once per invocation: it is only asked
     * for once every bucket run is done (the fit's fingerprint, then the fit), so the runs no longer change.
     */
    private List<Observation> bucketObservations() {
        if (bucketObs == null) {
            List<Observation> obs = new ArrayList<>();
            for (RunSpec r : runsOf("bucket")) {
                obs.addAll(RunsTree.scan(plan.runDir(r.id()), f5.metricOrDefault()).observations());
            }
            bucketObs = obs;
        }
        return bucketObs;
    }

    private FitOptions fitOptions() {
        FitOptions d = FitOptions.defaults(LawForm.parse(f5.lawOrDefault()), Objective.parse(f5.objectiveOrDefault()),
                f5.dOrDefault());
        return new FitOptions(d.form(), d.objective(), f5.normalizerOrDefault(), d.d(), f5.aGrid(), f5.bGrid(),
                f5.tauGrid(), d.refine(), f5.bootstrapOrDefault(), 0, threads(), fittedBuckets());
    }

    private String fitFingerprint() {
        if (runsSkip("bucket") == null) {
            return "pending";
        }
        FitOptions o = fitOptions().withThreads(1);
        return hash(Json.compact(bucketObservations()) + Json.compact(o) + f5.metricOrDefault());
    }

    private void fit() {
        List<Observation> obs = bucketObservations();
        FitResult r;
        try {
            r = Fitter.fit(obs, fitOptions(), f5.metricOrDefault());
        } catch (BadInputException e) {
            throw BadInputException.inFile(dir, e.getMessage());
        }
        Json.write(dir.resolve("params.json"), r.params());
        ScalingParams p = r.params();
        out.printf(Locale.ROOT, "  %d points; a = %.4g, d = %.4g, RMSE %.4g%n", obs.size(), p.a(), p.d(),
                p.fit().rmse());
        for (PoolParams pp : p.pools()) {
            out.printf(Locale.ROOT, "  %-14s b = %8.4f  tau = %6.3f%n", pp.name(), pp.b(), pp.tau());
        }
        if (p.fit().warnings() != null) {
            p.fit().warnings().forEach(w -> out.println("  warning: " + w));
        }
    }

    // ---------------------------------------------------------------- predict

    ScalingParams params() {
        return ScalingParams.load(dir.resolve("params.json"));
    }

    Predictor predictor() {
        return new Predictor(params(), LawForm.parse(f5.lawOrDefault()), Objective.parse(f5.objectiveOrDefault()));
    }

    /** A config mixture (or bucket) with the fitted parameters of its buckets, under its config name. */
    static Mixture mixture(SweepConfig c, String name, ScalingParams p) {
        return new Mixture(name, c.partsOf(name).stream().map(p::pool).toList());
    }

    private List<Mixture> drawnMixtures(ScalingParams p) {
        List<String> names = c.figure5Mixtures();
        if (names.isEmpty()) {
            return Mixture.prefixes(p, MixtureOrder.parse(f5.orderOrDefault()));
        }
        return names.stream().map(n -> mixture(c, n, p)).toList();
    }

    private List<Double> validationBudgets() {
        return c.validation().budgets().stream().map(SampleCount::parse).distinct().sorted().toList();
    }

    /** The x-range of the curves: figure5.budgets, else min/max of the validation budgets and bucket runs. */
    private double[] range() {
        if (f5.budgets() != null) {
            return new double[] {SampleCount.parse(f5.budgets().get(0)), SampleCount.parse(f5.budgets().get(1))};
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (RunSpec r : plan.runs()) {
            lo = Math.min(lo, r.samplesSeen());
            hi = Math.max(hi, r.samplesSeen());
        }
        return new double[] {lo, hi};
    }

    private String predictFingerprint() {
        Path p = dir.resolve("params.json");
        return hash((Files.isRegularFile(p) ? sha256(p) : "none") + Json.compact(f5) + c.figure5Mixtures()
                + c.mixtures() + c.validation());
    }

    private void predict() {
        ScalingParams p = params();
        Predictor pr = predictor();
        List<Mixture> ms = drawnMixtures(p);
        List<Double> budgets = validationBudgets();
        Prediction prediction = pr.predict(ms, budgets);
        double[] r = range();
        ParetoFrontier.Frontier fr = ms.size() > 1 ? ParetoFrontier.compute(pr, ms, r[0], r[1], 50) : null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", f5.metricOrDefault());
        m.put("law", f5.lawOrDefault());
        m.put("objective", f5.objectiveOrDefault());
        m.put("budgets", budgets);
        List<Map<String, Object>> curves = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            Prediction.Curve cv = prediction.mixtures().get(i);
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", ms.get(i).name());
            x.put("buckets", ms.get(i).poolNames());
            x.put("pool_size", ms.get(i).size());
            x.put("error", cv.error());
            if (cv.hasBands()) {
                x.put("low", cv.low());
                x.put("high", cv.high());
            }
            curves.add(x);
        }
        m.put("mixtures", curves);
        m.put("best", prediction.best());
        m.put("range", r);
        if (fr != null) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("grid", fr.grid());
            f.put("best", fr.best());
            f.put("error", fr.error());
            List<Map<String, Object>> cs = new ArrayList<>();
            for (ParetoFrontier.Crossover x : fr.crossovers()) {
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("budget", x.budget());
                cm.put("from", x.from());
                cm.put("to", x.to());
                cs.add(cm);
            }
            f.put("crossovers", cs);
            m.put("frontier", f);
        }
        Json.write(dir.resolve("predictions.json"), m);
        for (int j = 0; j < budgets.size(); j++) {
            out.printf(Locale.ROOT, "  best at %s: %s%n", SampleCount.format(budgets.get(j)), prediction.best().get(j));
        }
    }

    // ---------------------------------------------------------------- validate

    /** Per (mixture, budget): the seeds' errors. Read once, like {@link #bucketObservations}. */
    private Map<String, Map<Double, List<Observation>>> validationObservations() {
        if (validationObs != null) {
            return validationObs;
        }
        Map<String, Map<Double, List<Observation>>> m = new LinkedHashMap<>();
        for (String mix : c.validation().mixtures()) {
            m.put(mix, new TreeMap<>());
        }
        for (RunSpec r : runsOf("validation")) {
            for (Observation o : RunsTree.scan(plan.runDir(r.id()), f5.metricOrDefault()).observations()) {
                m.computeIfAbsent(r.poolName(), k -> new TreeMap<>())
                        .computeIfAbsent(o.samplesSeen(), k -> new ArrayList<>()).add(o);
            }
        }
        validationObs = m;
        return m;
    }

    private String validateFingerprint() {
        if (runsSkip("validation") == null) {
            return "pending";
        }
        Path p = dir.resolve("params.json");
        return hash((Files.isRegularFile(p) ? sha256(p) : "none") + Json.compact(validationObservations())
                + f5.lawOrDefault() + f5.objectiveOrDefault());
    }

    private void validate() {
        ScalingParams p = params();
        Predictor pr = predictor();
        Map<String, Map<Double, List<Observation>>> byMix = validationObservations();
        List<Observation> means = new ArrayList<>();
        Map<String, String> configName = new LinkedHashMap<>();
        List<SeedStats> stats = new ArrayList<>();
        for (var e : byMix.entrySet()) {
            Mixture mx = mixture(c, e.getKey(), p);
            String plus = Mixture.of(mx.pools()).name();
            configName.put(plus, e.getKey());
            for (var b : e.getValue().entrySet()) {
                List<Observation> os = b.getValue();
                SeedStats st = SeedStats.of(os.stream().map(Observation::error).toList());
                double size = os.stream().mapToDouble(Observation::poolSize).average().orElseThrow();
                means.add(new Observation(plus, size, b.getKey(), st.mean()));
                stats.add(st);
            }
        }
        Validation.Result r = Validation.run(pr, means, dir);
        r.warnings().forEach(w -> out.println("  warning: " + w));
        List<Map<String, Object>> points = new ArrayList<>();
        StringBuilder csv = new StringBuilder("mixture,buckets,pool_size,samples_seen,seeds,actual_mean,actual_se,"
                + "predicted,abs_error\n");
        for (int i = 0; i < r.points().size(); i++) {
            Validation.Point pt = r.points().get(i);
            SeedStats st = stats.get(i);
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("mixture", configName.get(pt.pool()));
            x.put("buckets", pt.pool());
            x.put("pool_size", pt.poolSize());
            x.put("samples_seen", pt.samplesSeen());
            x.put("seeds", st.n());
            x.put("actual_mean", pt.actual());
            x.put("actual_se", Double.isNaN(st.se()) ? null : st.se());
            x.put("predicted", pt.predicted());
            x.put("abs_error", pt.absError());
            points.add(x);
            csv.append(String.join(",", configName.get(pt.pool()), pt.pool(), num(pt.poolSize()),
                    num(pt.samplesSeen()), Integer.toString(st.n()), Double.toString(pt.actual()),
                    Double.isNaN(st.se()) ? "" : Double.toString(st.se()), Double.toString(pt.predicted()),
                    Double.toString(pt.absError()))).append('\n');
        }
        List<Map<String, Object>> budgets = new ArrayList<>();
        for (Validation.BudgetCheck b : r.budgets()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("samples_seen", b.samplesSeen());
            x.put("mixtures", b.mixtures().stream().map(configName::get).toList());
            x.put("actual_best", configName.get(b.actualBest()));
            x.put("predicted_best", configName.get(b.predictedBest()));
            x.put("agree", b.agree());
            budgets.add(x);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", f5.metricOrDefault());
        m.put("points", points);
        m.put("mae", r.mae());
        m.put("max_error", r.maxError());
        m.put("budgets", budgets);
        m.put("compared", r.compared());
        m.put("agreed", r.agreed());
        m.put("warnings", r.warnings());
        Json.write(dir.resolve("validation.json"), m);
        AtomicFiles.writeString(dir.resolve("validation.csv"), csv.toString());
        out.printf(Locale.ROOT, "  %d points: MAE %.4f, max error %.4f; best mixture agrees at %d of %d budgets%n",
                r.points().size(), r.mae(), r.maxError(), r.agreed(), r.compared());
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    // ---------------------------------------------------------------- figure and report

    private String figureFingerprint() {
        return hash(fileHash("params.json") + fileHash("predictions.json") + fileHash("validation.json"));
    }

    private String fileHash(String name) {
        Path f = dir.resolve(name);
        return Files.isRegularFile(f) ? sha256(f) : "none";
    }

    private void figure() {
        ScalingParams p = params();
        Predictor pr = predictor();
        List<Mixture> ms = new ArrayList<>(drawnMixtures(p));
        JsonNode v = Json.readTree(dir.resolve("validation.json"));
        Map<String, List<Observation>> actual = new LinkedHashMap<>();
        for (JsonNode pt : v.path("points")) {
            actual.computeIfAbsent(pt.path("mixture").asText(), k -> new ArrayList<>()).add(new Observation(
                    pt.path("mixture").asText(), pt.path("pool_size").asDouble(), pt.path("samples_seen").asDouble(),
                    pt.path("actual_mean").asDouble()));
        }
        double[] r = range();
        String title = String.format(Locale.ROOT, "%s: predicted (lines) vs actual (dots) — MAE %.4f, max %.4f",
                c.name(), v.path("mae").asDouble(), v.path("max_error").asDouble());
        String metric = f5.metricOrDefault();
        Figure5 fig = Figure5.of(title, metric + " error (1 − accuracy)", pr, ms, r[0], r[1], actual, true);
        Figure5Chart.write(fig, dir.resolve("figure5.png"));
        Figure5Chart.write(fig, dir.resolve("figure5.svg"));
    }

    private String reportFingerprint() {
        return hash(figureFingerprint() + fileHash("figure5.svg") + fileText(opt.config()));
    }

    private static String fileText(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private void report() {
        Map<String, Double> stepSeconds = new LinkedHashMap<>();
        Map<String, Object> steps = (Map<String, Object>) state.getOrDefault("steps", Map.of());
        for (String s : STEPS) {
            Object st = steps.get(s);
            if (st instanceof Map<?, ?> m && m.get("seconds") instanceof Number n) {
                stepSeconds.put(s, n.doubleValue());
            }
        }
        stepSeconds.put("report", 0.0);
        List<String> commands = new ArrayList<>();
        for (Object o : (List<Object>) state.getOrDefault("invocations", List.of())) {
            if (o instanceof Map<?, ?> m) {
                commands.add(m.get("started") + "  " + m.get("command"));
            }
        }
        Figure5Report rep = new Figure5Report(c, opt.config(), fileText(opt.config()), dir, plan, stepSeconds,
                commands);
        rep.write();
    }

    // ---------------------------------------------------------------- hashing

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
