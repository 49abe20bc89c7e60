package org.qqt.figure5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.data.PoolLayout;
import org.qqt.data.PoolMetadata;
import org.qqt.data.Uid;
import org.qqt.io.Json;
import org.qqt.scaling.CrossValidation;
import org.qqt.scaling.ScalingParams;
import org.qqt.sweep.RunSpec;
import org.qqt.sweep.RunState;
import org.qqt.sweep.SweepExecution;
import org.qqt.sweep.SweepPlan;

/**
 * The step ledger on a real figure5 chain without training: a given pool with a score column, and every planned
 * run already done (run.json, eval_results.jsonl and DONE written here). A changed input re-runs exactly the steps
 * that depend on it, and nothing else.
 */
class Figure5StepSkippingTest {
    @TempDir
    Path base;

    private Path config;

    private static final String CONFIG = """
            name: skip
            pool: pool
            pool_size: 400
            score: score
            buckets:
              - {name: a, from: 0, to: 50}
              - {name: b, from: 50, to: 100}
            epochs: [1, 2]
            mixtures: {ab: [a, b]}
            validation: {mixtures: [a, ab], budgets: [200, 400]}
            model: %s
            seeds: [0]
            suite: %s
            tasks_root: tasks
            figure5: {metric: imagenet1k, bootstrap: 0, normalizer: 10, a: 1, d: 0.3%s}
            """;

    @BeforeEach
    void givenPoolAndDoneRuns() throws IOException {
        writePool(1.0);
        config = base.resolve("figure5.yaml");
        writeConfig("");
        SweepPlan plan = SweepPlan.of(Figure5Config.load(config).sweep(), base, Path.of("/bin/true"));
        for (RunSpec run : plan.runs()) {
            writeRun(plan.runDir(run.id()), run, 0.0);
        }
    }

    private void writeConfig(String figure5Extra) throws IOException {
        Files.writeString(config, CONFIG.formatted(Path.of("models/tiny.json").toAbsolutePath(),
                Path.of("configs/tasks/synth-smoke3.yaml").toAbsolutePath(), figure5Extra));
    }

    /** 400 samples; sample i scores sign·i. */
    private void writePool(double sign) throws IOException {
        List<PoolMetadata.Row> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            rows.add(new PoolMetadata.Row(new Uid(0, i + 1), "caption " + i, 64, 64, 0.5, Map.of("score", sign * i)));
        }
        Files.createDirectories(base.resolve("pool"));
        PoolMetadata.write(PoolLayout.metadata(base.resolve("pool")), List.of("score"), rows);
    }

    /** A finished, evaluated run: imagenet1k accuracy grows with samples seen (plus {@code shift}). */
    private static void writeRun(Path dir, RunSpec run, double shift) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> runJson = new LinkedHashMap<>();
        runJson.put("pool_name", run.poolName());
        runJson.put("pool_size", run.poolSize());
        runJson.put("samples_seen", run.samplesSeen());
        runJson.put("status", "done");
        Files.writeString(dir.resolve("run.json"), Json.pretty(runJson));
        double quality = run.poolName().startsWith("b") ? 0.5 : 1.0;
        double accuracy = 0.6 - 0.2 * quality * Math.pow(run.samplesSeen() / 10, -0.3) + shift;
        Files.writeString(dir.resolve("eval_results.jsonl"), Json.compact(Map.of("key", "imagenet1k",
                "metrics", Map.of("main_metric", accuracy))) + "\n");
        Files.writeString(dir.resolve(RunState.DONE), "");
    }

    /** Runs the chain; returns the steps that ran (not skipped). */
    private Set<String> ran() {
        Figure5Pipeline.Options options = new Figure5Pipeline.Options(config, base,
                new SweepExecution.Target(false, base, 1, 1, null, Path.of("/bin/true")), "test");
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Figure5Pipeline.Result r = new Figure5Pipeline(options, out).run();
        assertEquals(Figure5Pipeline.STEPS, List.copyOf(r.steps().keySet()));
        Set<String> done = new TreeSet<>();
        r.steps().forEach((step, what) -> {
            if (what.equals("done")) {
                done.add(step);
            }
        });
        return done;
    }

    private RunSpec firstRun(String kind) {
        SweepPlan plan = SweepPlan.of(Figure5Config.load(config).sweep(), base, Path.of("/bin/true"));
        return plan.runs().stream().filter(r -> r.kind().equals(kind)).findFirst().orElseThrow();
    }

    private Path runDir(RunSpec run) {
        return SweepPlan.of(Figure5Config.load(config).sweep(), base, Path.of("/bin/true")).runDir(run.id());
    }

    @Test
    void aChangedInputReRunsExactlyTheStepsThatDependOnIt() throws IOException {
        // first invocation: everything not given runs (synth/teacher/score: no world, no teacher, the column exists)
        assertEquals(Set.of("filter", "fit", "predict", "validate", "figure", "report"), ran());
        assertEquals(Set.of(), ran(), "nothing changed: every step skips");

        // the curves' x-range: the prediction (and so the figure and the report, which also shows the config)
        writeConfig(", budgets: [100, 1000]");
        assertEquals(Set.of("predict", "figure", "report"), ran());
        assertEquals(Set.of(), ran());

        // one validation run's result: the validation, the figure and the report
        RunSpec validation = firstRun("validation");
        writeRun(runDir(validation), validation, 0.05);
        assertEquals(Set.of("validate", "figure", "report"), ran());

        // one bucket run's result: the fit and everything after it that reads params.json
        RunSpec bucket = firstRun("bucket");
        writeRun(runDir(bucket), bucket, 0.02);
        assertEquals(Set.of("fit", "predict", "validate", "figure", "report"), ran());
        assertEquals(Set.of(), ran());

        // the given pool's scores: the buckets are cut again; the runs are done, so nothing downstream changes
        writePool(-1.0);
        assertEquals(Set.of("filter"), ran());
        assertEquals(Set.of(), ran());
    }

    @Test
    void theFitRecordsCrossValidationAndTheReportShowsIt() throws IOException {
        // three epochs per bucket: 6 points for 4 free parameters (b, tau per bucket), so both schemes can run
        Files.writeString(config, CONFIG.replace("epochs: [1, 2]", "epochs: [1, 2, 3]").formatted(
                Path.of("models/tiny.json").toAbsolutePath(),
                Path.of("configs/tasks/synth-smoke3.yaml").toAbsolutePath(), ""));
        SweepPlan plan = SweepPlan.of(Figure5Config.load(config).sweep(), base, Path.of("/bin/true"));
        for (RunSpec run : plan.runs()) {
            writeRun(plan.runDir(run.id()), run, 0.0);
        }
        ran();
        Path dir = base.resolve("runs/skip");
        CrossValidation cv = ScalingParams.load(dir.resolve("params.json")).fit().crossValidation();
        assertEquals(6, cv.leaveOneOut().points().size());
        assertEquals(2, cv.extrapolate().points().size(), "the third epoch of each bucket");
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains(String.format(Locale.ROOT, "| leave-one-out | 6 | %.4f | %.4f |",
                cv.leaveOneOut().mae(), cv.leaveOneOut().maxError())), md);
        assertTrue(md.contains(String.format(Locale.ROOT, "| extrapolate | 2 | %.4f | %.4f |",
                cv.extrapolate().mae(), cv.extrapolate().maxError())), md);
        assertEquals(8, md.lines().filter(l -> l.startsWith("| leave-one-out | ") || l.startsWith("| extrapolate | "))
                .count() - 2, "one row per held-out point");
    }

    @Test
    void aStepKilledHalfWayOrAMissingOutputIsNotSkipped() throws IOException {
        ran();
        Path dir = base.resolve("runs/skip");
        // a fit started on other inputs and killed before it finished (the ledger saved by a later write)
        StepLedger ledger = new StepLedger(dir);
        assertEquals(null, ledger.skipReason("fit", "other inputs", List.of(dir.resolve("params.json"))));
        ledger.recordInvocation("killed");
        Files.delete(dir.resolve("predictions.json"));
        // fit runs again and writes the same params.json; predict rewrites its missing output, the same bytes, so
        // the figure and the report stay as they are
        assertEquals(Set.of("fit", "predict"), ran());
    }
}
