package org.qqt.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.qqt.data.Batch;
import org.qqt.data.BatchSource;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.model.Clip;
import org.qqt.model.Scalars;

/**
 * The training loop: one contrastive run from a {@link BatchSource} into a run directory.
 *
 * <p>Files in the run directory: {@code run.json} ({@link RunRecord}), {@code metrics.jsonl} ({@link MetricsLog})
 * and {@code checkpoints/latest.safetensors} ({@link Checkpoint}). Started again with the same config, a run
 * resumes from its checkpoint (and ends with the same weights as an uninterrupted run); a finished run
 * ({@code "status": "done"}) does nothing.
 */
public final class Trainer {
    private final TrainConfig config;
    private final Path runDir;
    private final Device device;
    private final PrintStream progress;
    private final List<Long> keepAt;

    /** How a call ended: steps done in total, last loss, whether the run had already finished. */
    public record Outcome(long steps, double finalLoss, boolean alreadyDone) {}

    public Trainer(TrainConfig config, Path runDir, Device device, PrintStream progress) {
        this(config, runDir, device, progress, List.of());
    }

    /**
     * A trainer that also keeps a model-only checkpoint {@link Checkpoint#kept} at the end of the step that
     * reaches or crosses each of the sample counts {@code keepAt} (each at most the budget).
     */
    public Trainer(TrainConfig config, Path runDir, Device device, PrintStream progress, List<Long> keepAt) {
        config.validate();
        for (long k : keepAt) {
            if (k <= 0 || k > config.samplesSeen()) {
                throw new BadInputException("--keep-at " + k + " must be > 0 and at most --samples-seen "
                        + config.samplesSeen());
            }
        }
        this.config = config;
        this.runDir = runDir;
        this.device = device;
        this.progress = progress;
        this.keepAt = keepAt.stream().distinct().sorted().toList();
    }

    /** Step → samples seen of the kept checkpoint written at the end of that step. */
    private Map<Long, Long> keepSteps() {
        Map<Long, Long> m = new TreeMap<>();
        for (long k : keepAt) {
            long seen = Checkpoint.keptSamples(k, config.batch());
            m.put(seen / config.batch(), seen);
        }
        return m;
    }

    /** Trains to the end of the budget, resuming if a checkpoint exists. */
    public Outcome run(BatchSource source, DataInfo data) {
        return run(source, data, Long.MAX_VALUE);
    }

    /**
     * Trains until {@code stopAfter} steps are done (then stops as if killed: no extra checkpoint), or to the end.
     */
    Outcome run(BatchSource source, DataInfo data, long stopAfter) {
        Path runJson = runDir.resolve(RunRecord.FILE);
        Path ckpt = Checkpoint.latest(runDir);
        Outcome done = alreadyDone();
        if (done != null) {
            return done;
        }
        RunRecord record = Files.exists(runJson) ? Json.read(runJson, RunRecord.class) : null;
        MemoryEstimate.of(config.model(), config.batch()).check(device, config.model(), config.batch());

        long total = config.steps();
        LossScaler scaler = LossScaler.forPrecision(config.precision());
        try (Clip model = new Clip(config.model(), device, config.seed(), config.precision().matmul());
             AdamW optimizer = new AdamW(model.parameters(), model.manager(), config.beta1(), config.beta2(),
                     config.eps(), config.weightDecay())) {
            long step = 0;
            if (Files.exists(ckpt)) {
                Checkpoint.State s = Checkpoint.load(ckpt, model, optimizer);
                if (!s.config().sameRunAs(config)) {
                    throw BadInputException.inFile(ckpt, "was written by a run with another config; use a new --out");
                }
                step = s.step();
                scaler.restore(s.lossScaler());
                source.restore(s.loader());
                progress.println("resuming " + runDir + " from step " + step + "/" + total);
                if (record != null && record.threads() != JniUtils.getNumThreads()) {
                    progress.println("warning: this run started with " + record.threads() + " libtorch threads and "
                            + "resumes with " + JniUtils.getNumThreads() + "; the result will not be bitwise identical "
                            + "to an uninterrupted run (pass --threads " + record.threads() + ")");
                }
            }
            String now = Instant.now().toString();
            record = record == null ? newRecord(data, now) : record.with(RunRecord.RUNNING, step, null, now);
            if (!keepAt.isEmpty()) {
                record = record.withKeepAt(keepAt);
            }
            Json.write(runJson, record);
            Map<Long, Long> keepSteps = keepSteps();

            double loss = Double.NaN;
            long lastCheckpoint = step;
            Progress meter = new Progress(step, total);
            try (MetricsLog metrics = new MetricsLog(runDir.resolve(MetricsLog.FILE), step)) {
                while (step < total && step < stopAfter) {
                    long t0 = System.nanoTime();
                    Batch batch = source.next();
                    double lr = Schedule.lr(config.lr(), step, config.warmup(), total);

                    StepResult r = step(model, optimizer, config, batch, lr, StepPhases.NONE, scaler);
                    if (!r.finite()) {
                        Json.write(runJson, record.with(RunRecord.DIVERGED, lastCheckpoint, r.loss(),
                                Instant.now().toString()));
                        metrics.flush();
                        throw new DivergedException(String.format(Locale.ROOT,
                                "%s at step %d (loss %s, gradient norm %s); kept the last good checkpoint (step %d) "
                                        + "in %s; lower --lr or set --grad-clip and start a new run",
                                Double.isFinite(r.loss()) ? "gradients diverged" : "loss is not finite", step + 1,
                                r.loss(), r.gradNorm(), lastCheckpoint, ckpt));
                    }
                    loss = r.loss();
                    step++;

                    // log, checkpoint
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    long seen = step * config.batch();
                    metrics.log(step, seen, loss, lr, Math.log(r.scale()), r.gradNorm(), config.batch() / seconds);
                    meter.update(step, loss, lr, r.scale(), config.batch());
                    Long keep = keepSteps.get(step);
                    if (keep != null) { // before the regular checkpoint: a resume from it never skips a kept step
                        Path file = Checkpoint.kept(runDir, keep);
                        Checkpoint.saveModel(file, model, new Checkpoint.State(1, step, seen, optimizer.steps(),
                                source.state(), config.seed(), config));
                        record = record.withKept(new RunRecord.Kept(keep, step,
                                runDir.relativize(file).toString()));
                        Json.write(runJson, record.with(RunRecord.RUNNING, lastCheckpoint, null,
                                Instant.now().toString())); // steps_done: what a resume starts from
                    }
                    if (step == total || (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0)) {
                        metrics.flush();
                        Checkpoint.save(ckpt, model, optimizer, new Checkpoint.State(1, step, seen, optimizer.steps(),
                                source.state(), config.seed(), config, scaler.state()));
                        lastCheckpoint = step;
                    }
                }
            }
            if (step == total && Double.isNaN(loss)) {
                loss = MetricsLog.lastLoss(runDir.resolve(MetricsLog.FILE)); // killed between checkpoint and run.json
            }
            if (step == total) {
                Json.write(runJson, record.with(RunRecord.DONE, step, loss, Instant.now().toString()));
                meter.finish(step);
            }
            return new Outcome(step, loss, false);
        }
    }

    /**
     * Checks the run directory before any data is opened: another config there is bad input; a finished run
     * gives its outcome (and prints "already done"); otherwise null (a new run, or one to resume).
     */
    public Outcome alreadyDone() {
        Path runJson = runDir.resolve(RunRecord.FILE);
        RunRecord record = Files.exists(runJson) ? Json.read(runJson, RunRecord.class) : null;
        if (record != null && !record.config().sameRunAs(config)) {
            throw BadInputException.inFile(runJson, "holds a run with another config; use a new --out directory");
        }
        if (record != null && RunRecord.DONE.equals(record.status())) {
            for (long seen : keepSteps().values()) {
                if (!Files.isRegularFile(Checkpoint.kept(runDir, seen))) {
                    throw BadInputException.inFile(runJson, "the run is done but has no kept checkpoint after "
                            + seen + " samples (--keep-at); train into a new --out directory");
                }
            }
            progress.println("run " + runDir + " is already done (" + record.stepsDone() + " steps); nothing to do");
            return new Outcome(record.stepsDone(), record.finalLoss() == null ? Double.NaN : record.finalLoss(), true);
        }
        return null;
    }

    /**
     * What one step measured: loss, effective logit scale, gradient norm before clipping (unscaled), and whether
     * the loss scaler skipped the update because the fp16 gradients overflowed (the gradient norm is then not
     * finite, and the step still counts: its batch is consumed, as torch's GradScaler does).
     */
    record StepResult(double loss, double scale, double gradNorm, boolean skipped) {
        StepResult(double loss, double scale, double gradNorm) {
            this(loss, scale, gradNorm, false);
        }

        boolean finite() {
            return skipped ? Double.isFinite(loss) : Double.isFinite(loss) && Double.isFinite(gradNorm);
        }
    }

    /**
     * One optimisation step: forward, loss, backward, global-norm clip, AdamW update. Every array of the step
     * lives in a sub-manager freed at the end. If the loss or the gradients are not finite, nothing is updated.
     */
    static StepResult step(Clip model, AdamW optimizer, TrainConfig config, Batch batch, double lr) {
        return step(model, optimizer, config, batch, lr, StepPhases.NONE);
    }

    /** {@link #step} that charges the time of each phase to {@code phases} (the same ops in the same order). */
    static StepResult step(Clip model, AdamW optimizer, TrainConfig config, Batch batch, double lr,
            StepPhases phases) {
        return step(model, optimizer, config, batch, lr, phases, LossScaler.disabled());
    }

    /** {@link #step} with dynamic loss scaling (a disabled scaler: exactly the unscaled step). */
    static StepResult step(Clip model, AdamW optimizer, TrainConfig config, Batch batch, double lr,
            StepPhases phases, LossScaler scaler) {
        double loss;
        double scale;
        phases.begin();
        try (NDManager tmp = model.manager().newSubManager();
             GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            // Clip.forward's calls, one by one so that each tower can be timed
            NDArray image = model.encodeImage(model.images(batch, tmp));
            phases.end(StepPhases.IMAGE_FORWARD);
            NDArray text = model.encodeText(batch.tokens(), batch.size(), tmp);
            phases.end(StepPhases.TEXT_FORWARD);
            NDArray logitScale = model.scale(tmp);
            ContrastiveLoss.Result r = config.lossBlock() > 0
                    ? ContrastiveLoss.blockwise(image, text, logitScale, config.lossBlock())
                    : ContrastiveLoss.full(image, text, logitScale);
            phases.end(StepPhases.LOSS);
            tape.backward(scaler.enabled() ? r.backwardTarget().mul(Scalars.of(tmp, (float) scaler.scale()))
                    : r.backwardTarget());
            phases.end(StepPhases.BACKWARD);
            loss = r.loss().getFloat();
            scale = logitScale.getFloat();
        }
        double lossScale = scaler.scale();
        double gradNorm = optimizer.gradientNorm() / lossScale;
        phases.end(StepPhases.GRAD_NORM);
        // loss scaling hook: an overflowed fp16 step is skipped (gradients zeroed) and the scale backs off
        if (Double.isFinite(loss) && !scaler.update(Double.isFinite(gradNorm))) {
            optimizer.zeroGradients();
            return new StepResult(loss, scale, gradNorm, true);
        }
        StepResult result = new StepResult(loss, scale, gradNorm);
        if (!result.finite()) {
            return result;
        }
        double clip = config.gradClip() > 0 && gradNorm > config.gradClip() ? config.gradClip() / (gradNorm + 1e-6) : 1;
        optimizer.step(lr, clip / lossScale); // unscales (and clips) the gradients, then zeroes them
        phases.end(StepPhases.OPTIMIZER);
        return result;
    }

    private RunRecord newRecord(DataInfo data, String now) {
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

    /** Progress on stderr about every 10 s: step, samples, loss, lr, logit scale, samples/s, ETA. */
    private final class Progress {
        private final long total;
        private final org.qqt.io.ProgressMeter meter;

        Progress(long start, long total) {
            this.total = total;
            this.meter = new org.qqt.io.ProgressMeter(total * config.batch(), start * config.batch(), 10);
        }

        void update(long step, double loss, double lr, double scale, int batch) {
            String rate = meter.tick(step * batch, step == total);
            if (rate != null) {
                progress.printf(Locale.ROOT, "step %d/%d  samples %d  loss %.4f  lr %.3g  scale %.1f  %s%n",
                        step, total, step * batch, loss, lr, scale, rate);
            }
        }

        void finish(long step) {
            progress.printf(Locale.ROOT, "done: %d steps in %s; %s%n", step,
                    org.qqt.io.ProgressMeter.duration(meter.elapsedSeconds()), runDir);
        }
    }
}
