package org.qqt.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.data.BatchSource;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.model.Clip;

/**
 * The bookkeeping of one run, so that {@link Trainer#run}'s loop reads as the training it is: resuming from the
 * checkpoint, run.json (running, diverged, done), which steps are logged, kept model-only checkpoints
 * ({@code --keep-at}) and the regular checkpoint.
 */
final class RunBook {
    private final TrainConfig config;
    private final Path runDir;
    private final Path runJson;
    private final Path ckpt;
    private final List<Long> keepAt;
    /** Step → samples seen of the kept checkpoint written at the end of that step. */
    private final Map<Long, Long> keepSteps;
    private final PrintStream progress;
    private RunRecord record;
    private long lastCheckpoint;
    /** fp16's dynamic loss scale: restored on resume, saved in every checkpoint (disabled otherwise). */
    private final LossScaler scaler;

    RunBook(TrainConfig config, Path runDir, List<Long> keepAt, Map<Long, Long> keepSteps, PrintStream progress,
            LossScaler scaler) {
        this.config = config;
        this.runDir = runDir;
        this.runJson = runDir.resolve(RunRecord.FILE);
        this.ckpt = Checkpoint.latest(runDir);
        this.keepAt = keepAt;
        this.keepSteps = keepSteps;
        this.progress = progress;
        this.scaler = scaler;
    }

    /**
     * Loads the checkpoint into {@code model}, {@code optimizer} and {@code source} if there is one, marks the run
     * running in run.json, and returns the steps already done.
     */
    long resume(Clip model, AdamW optimizer, BatchSource source, DataInfo data, Device device) {
        record = Files.exists(runJson) ? Json.read(runJson, RunRecord.class) : null;
        long step = 0;
        if (Files.exists(ckpt)) {
            Checkpoint.State s = Checkpoint.load(ckpt, model, optimizer);
            if (!s.config().sameRunAs(config)) {
                throw BadInputException.inFile(ckpt, "was written by a run with another config; use a new --out");
            }
            step = s.step();
            scaler.restore(s.lossScaler());
            source.restore(s.loader());
            progress.println("resuming " + runDir + " from step " + step + "/" + config.steps());
            if (record != null && record.threads() != JniUtils.getNumThreads()) {
                progress.println("warning: this run started with " + record.threads() + " libtorch threads and "
                        + "resumes with " + JniUtils.getNumThreads() + "; the result will not be bitwise identical "
                        + "to an uninterrupted run (pass --threads " + record.threads() + ")");
            }
        }
        String now = Instant.now().toString();
        record = record == null ? newRecord(data, device, now) : record.with(RunRecord.RUNNING, step, null, now);
        if (!keepAt.isEmpty()) {
            record = record.withKeepAt(keepAt);
        }
        Json.write(runJson, record);
        lastCheckpoint = step;
        return step;
    }

    /** Whether step {@code step} (1-based) reads its loss back: a --log-every step, a checkpoint or a kept step. */
    boolean observes(long step) {
        return step % config.logEvery() == 0 || checkpoints(step) || keepSteps.containsKey(step);
    }

    private boolean checkpoints(long step) {
        return step == config.steps() || (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0);
    }

    /** Marks the run diverged at {@code step} and gives the exception to throw (the last good checkpoint stays). */
    DivergedException diverged(long step, TrainStep.Result r, boolean observed) {
        Json.write(runJson, record.with(RunRecord.DIVERGED, lastCheckpoint, r.loss(), Instant.now().toString()));
        return new DivergedException(String.format(Locale.ROOT,
                "%s at step %d (loss %s, gradient norm %s; read every %d steps); kept the last good checkpoint "
                        + "(step %d) in %s; lower --lr or set --grad-clip and start a new run",
                observed && !Double.isFinite(r.loss()) ? "loss is not finite" : "gradients diverged",
                step, r.loss(), r.gradNorm(), config.logEvery(), lastCheckpoint, ckpt));
    }

    /** At the end of observed step {@code step}: the kept checkpoint and the regular one, where due. */
    void saveIfDue(long step, Clip model, AdamW optimizer, BatchSource source, MetricsLog metrics) {
        Long keep = keepSteps.get(step);
        if (keep != null) { // before the regular checkpoint: a resume from it never skips a kept step
            Path file = Checkpoint.kept(runDir, keep);
            Checkpoint.saveModel(file, model, state(step, optimizer, source));
            record = record.withKept(new RunRecord.Kept(keep, step, runDir.relativize(file).toString()));
            Json.write(runJson, record.with(RunRecord.RUNNING, lastCheckpoint, null,
                    Instant.now().toString())); // steps_done: what a resume starts from
        }
        if (checkpoints(step)) {
            metrics.flush();
            Checkpoint.save(ckpt, model, optimizer, state(step, optimizer, source));
            lastCheckpoint = step;
        }
    }

    private Checkpoint.State state(long step, AdamW optimizer, BatchSource source) {
        return new Checkpoint.State(1, step, step * config.batch(), optimizer.steps(), source.state(), config.seed(),
                config, scaler.state());
    }

    /** After the loop: run.json done (with the samples the loader skipped) if the budget is reached; the outcome. */
    Trainer.Outcome finish(long step, double loss, long samplesSkipped) {
        if (step == config.steps() && Double.isNaN(loss)) {
            loss = MetricsLog.lastLoss(runDir.resolve(MetricsLog.FILE)); // killed between checkpoint and run.json
        }
        if (step == config.steps()) {
            Json.write(runJson, record.with(RunRecord.DONE, step, loss, Instant.now().toString())
                    .withSamplesSkipped(samplesSkipped));
        }
        return new Trainer.Outcome(step, loss, false);
    }

    private RunRecord newRecord(DataInfo data, Device device, String now) {
        Map<String, String> versions = new LinkedHashMap<>();
        String v = Trainer.class.getPackage().getImplementationVersion();
        versions.put("qqt", v == null ? "dev" : v);
        versions.put("djl", Engine.getDjlVersion());
        versions.put("pytorch", Engine.getInstance().getVersion());
        versions.put("java", System.getProperty("java.version"));
        return new RunRecord(RunRecord.RUNNING, data.pool(), data.subset(), data.poolName(), data.poolSize(),
                data.tokenizer(), data.vocab(),
                config.samplesSeen(), config.seed(), config.steps(), 0, null, data, config, device.toString(),
                JniUtils.getNumThreads(), Path.of(Checkpoint.DIR, Checkpoint.LATEST).toString(), versions, now, now,
                null, null);
    }
}
