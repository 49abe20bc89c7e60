package org.qqt.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.qqt.data.LoaderState;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.model.Clip;

/**
 * A run's checkpoints in {@code runs/NAME/checkpoints/}: everything a run needs to continue exactly where it was,
 * each file written atomically (temp + rename).
 * <ul>
 *   <li>{@code latest.safetensors}: the model parameters only, under open_clip's state_dict names
 *       ({@code visual.conv1.weight}, ..., {@code logit_scale}), so open_clip's {@code load_state_dict(strict=True)}
 *       takes it as is; metadata {@code qqt.state}: JSON {@link State} (steps done, samples seen, AdamW step count,
 *       the loader's position, the seed, the full train config, and for fp16 the
 *       {@link LossScaler}'s state);
 *   <li>{@code optimizer-<step>.safetensors}: the AdamW moments of that step ({@code exp_avg.NAME},
 *       {@code exp_avg_sq.NAME}). It is written before the latest.safetensors that names its step and the older
 *       one is deleted after, so a kill at any moment leaves a model and the moments of the same step.
 * </ul>
 * Checkpoints written before the split hold the moments in latest.safetensors under {@code optimizer.}; they still
 * resume. No other randomness exists in a step (no dropout, no augmentation draws): the loader state is the RNG
 * state.
 */
public final class Checkpoint {
    public static final String DIR = "checkpoints";
    public static final String LATEST = "latest.safetensors";
    /** Prefix of the moments in a checkpoint written before model and optimiser were split. */
    static final String OPTIMIZER_PREFIX = "optimizer.";
    static final String OPTIMIZER_FILE = "optimizer-";
    static final String STATE_KEY = "qqt.state";

    private Checkpoint() {}

    /** The training position saved with the weights. */
    public record State(
            @JsonProperty("format") int format,
            @JsonProperty("step") long step,
            @JsonProperty("samples_seen") long samplesSeen,
            @JsonProperty("optimizer_steps") long optimizerSteps,
            @JsonProperty("loader") LoaderState loader,
            @JsonProperty("seed") long seed,
            @JsonProperty("config") TrainConfig config,
            @JsonProperty("loss_scaler") LossScaler.State lossScaler) {
        /** A state without loss scaling (fp32, bf16, model-only checkpoints). */
        public State(int format, long step, long samplesSeen, long optimizerSteps, LoaderState loader, long seed,
                TrainConfig config) {
            this(format, step, samplesSeen, optimizerSteps, loader, seed, config, null);
        }
    }

    public static Path latest(Path runDir) {
        return runDir.resolve(DIR).resolve(LATEST);
    }

    /**
     * Samples seen at the end of the step that reaches or crosses {@code target} samples with batches of
     * {@code batch}: the exact count a kept checkpoint ({@code qqt train --keep-at}) is named after.
     */
    public static long keptSamples(long target, int batch) {
        return Schedule.steps(target, batch) * batch;
    }

    /** {@code checkpoints/samples-<N>.safetensors}: the model-only checkpoint kept after exactly N samples seen. */
    public static Path kept(Path runDir, long samplesSeen) {
        return runDir.resolve(DIR).resolve("samples-" + samplesSeen + ".safetensors");
    }

    /**
     * Writes the model's parameters and {@code state} (no optimiser moments) to {@code file} atomically: enough
     * for {@link #loadModel} ({@code qqt eval --checkpoint}), not for resuming.
     */
    public static void saveModel(Path file, Clip model, State state) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "qqt-checkpoint");
        meta.put("content", "model");
        meta.put(STATE_KEY, Json.compact(state));
        SafeTensors.write(file, new LinkedHashMap<>(model.parameters()), meta);
    }

    /** {@code optimizer-<step>.safetensors} beside {@code checkpoint}: the AdamW moments of that step. */
    public static Path optimizerFile(Path checkpoint, long step) {
        return checkpoint.resolveSibling(OPTIMIZER_FILE + step + ".safetensors");
    }

    /**
     * Writes the optimiser's moments, then model and state to {@code file} (each atomically), then deletes the
     * moments of earlier steps.
     */
    public static void save(Path file, Clip model, AdamW optimizer, State state) {
        Path moments = optimizerFile(file, state.step());
        Map<String, String> optMeta = new LinkedHashMap<>();
        optMeta.put("format", "qqt-optimizer");
        optMeta.put("step", Long.toString(state.step()));
        SafeTensors.write(moments, new LinkedHashMap<>(optimizer.state()), optMeta);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "qqt-checkpoint");
        meta.put(STATE_KEY, Json.compact(state));
        SafeTensors.write(file, new LinkedHashMap<>(model.parameters()), meta);
        try (Stream<Path> files = Files.list(file.getParent())) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(OPTIMIZER_FILE) && name.endsWith(".safetensors") && !f.equals(moments)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the model of {@code checkpoint} as a model-only safetensors file {@code out} under open_clip's
     * state_dict names ({@code qqt export}); metadata: the model config as JSON under {@code qqt.model}.
     */
    public static void export(Path checkpoint, Path out) {
        State state = readState(checkpoint);
        try (Clip model = loadModel(checkpoint, Device.cpu())) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("qqt.model", Json.compact(state.config().model()));
            SafeTensors.write(out, new LinkedHashMap<>(model.parameters()), meta);
        }
    }

    /** Reads only the state (no arrays). */
    public static State readState(Path file) {
        try (SafeTensors.Reader r = new SafeTensors.Reader(file)) {
            return state(file, r);
        }
    }

    /** Loads weights (and, if {@code optimizer} is not null, its moments and step count) into existing arrays. */
    public static State load(Path file, Clip model, AdamW optimizer) {
        try (SafeTensors.Reader r = new SafeTensors.Reader(file)) {
            State s = state(file, r);
            model.parameters().forEach(r::readInto);
            if (optimizer != null) {
                loadMoments(file, r, s.step(), optimizer);
                optimizer.restoreSteps(s.optimizerSteps());
            }
            return s;
        }
    }

    /** The moments from {@code optimizer-<step>.safetensors}, or from a checkpoint written before the split. */
    private static void loadMoments(Path file, SafeTensors.Reader checkpoint, long step, AdamW optimizer) {
        Map<String, NDArray> moments = optimizer.state();
        if (moments.keySet().stream().anyMatch(k -> checkpoint.has(OPTIMIZER_PREFIX + k))) {
            moments.forEach((k, v) -> checkpoint.readInto(OPTIMIZER_PREFIX + k, v)); // one mixed file
            return;
        }
        Path separate = optimizerFile(file, step);
        if (!Files.isRegularFile(separate)) {
            throw BadInputException.inFile(separate, "missing: the optimiser state of the checkpoint's step " + step
                    + " (" + file + "); without it the run cannot resume exactly; delete the run directory to "
                    + "start it again");
        }
        try (SafeTensors.Reader r = new SafeTensors.Reader(separate)) {
            moments.forEach(r::readInto);
        }
    }

    /** A model with a checkpoint's weights, for evaluation (the config comes from the checkpoint). */
    public static Clip loadModel(Path file, Device device) {
        try (SafeTensors.Reader r = new SafeTensors.Reader(file)) {
            Clip model = new Clip(state(file, r).config().model(), device, 0);
            try {
                model.parameters().forEach(r::readInto);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
            return model;
        }
    }

    private static State state(Path file, SafeTensors.Reader r) {
        String json = r.metadata().get(STATE_KEY);
        if (json == null) {
            throw BadInputException.inFile(file, "not a qqt checkpoint (no " + STATE_KEY + " metadata)");
        }
        try {
            return Json.mapper().readValue(json, State.class);
        } catch (JsonProcessingException e) {
            throw BadInputException.inFile(file, "unreadable checkpoint state: " + e.getOriginalMessage());
        }
    }
}
