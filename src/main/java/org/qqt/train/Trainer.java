package org.qqt.train;

import ai.djl.Device;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.qqt.data.Batch;
import org.qqt.data.BatchSource;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.model.Clip;

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
        Outcome done = alreadyDone();
        if (done != null) {
            return done;
        }
        MemoryEstimate.of(config).check(device);
        long total = config.steps();
        LossScaler scaler = LossScaler.forPrecision(config.precision());
        try (Clip model = new Clip(config.model(), device, config.seed(), config.precision().matmul());
             AdamW optimizer = new AdamW(model.parameters(), model.manager(), config.beta1(), config.beta2(),
                     config.eps(), config.weightDecay())) {
            RunBook book = new RunBook(config, runDir, keepAt, keepSteps(), progress, scaler);
            long step = book.resume(model, optimizer, source, data, device);
            Progress meter = new Progress(step, total);
            double loss = Double.NaN;
            try (MetricsLog metrics = new MetricsLog(runDir.resolve(MetricsLog.FILE), step)) {
                if (metrics.tornLine() != null) {
                    progress.println(metrics.tornLine());
                }
                while (step < total && step < stopAfter) {
                    Batch batch = source.next();
                    double lr = Schedule.lr(config.lr(), step, config.warmup(), total);
                    boolean observe = book.observes(step + 1); // else nothing is read back to the host
                    TrainStep.Result r = TrainStep.run(model, optimizer, config, batch, lr, StepPhases.NONE, observe,
                            scaler);
                    if (r.bad()) {
                        metrics.flush();
                        throw book.diverged(step + 1, r, observe);
                    }
                    step++;
                    if (observe) { // log, checkpoint
                        loss = r.loss();
                        metrics.log(step, step * config.batch(), loss, lr, Math.log(r.scale()), r.gradNorm(),
                                meter.samplesPerSecond(step));
                        meter.update(step, loss, lr, r.scale());
                        book.saveIfDue(step, model, optimizer, source, metrics);
                    }
                }
            }
            Outcome outcome = book.finish(step, loss, source.state().skipped());
            if (step == total) {
                meter.finish(step);
            }
            return outcome;
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

    /** Progress on stderr about every 10 s: step, samples, loss, lr, logit scale, samples/s, ETA. */
    private final class Progress {
        private final long total;
        private final org.qqt.io.ProgressMeter meter;
        private long lastStep;
        private long lastNanos = System.nanoTime();

        Progress(long start, long total) {
            this.total = total;
            this.meter = new org.qqt.io.ProgressMeter(total * config.batch(), start * config.batch(), 10);
            this.lastStep = start;
        }

        /** Samples per second since the previous call (or the start). */
        double samplesPerSecond(long step) {
            long now = System.nanoTime();
            double rate = (step - lastStep) * config.batch() / ((now - lastNanos) / 1e9);
            lastStep = step;
            lastNanos = now;
            return rate;
        }

        void update(long step, double loss, double lr, double scale) {
            int batch = config.batch();
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
