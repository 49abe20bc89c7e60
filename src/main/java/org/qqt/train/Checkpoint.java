package org.qqt.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qqt.data.LoaderState;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.model.Clip;

/**
 * runs/NAME/checkpoints/latest.safetensors: everything a run needs to continue exactly where it was, in one
 * file written atomically (temp + rename), so a kill at any moment leaves the previous checkpoint intact.
 * <ul>
 *   <li>model parameters under open_clip's state_dict names ({@code visual.conv1.weight}, ..., {@code logit_scale});
 *   <li>AdamW moments under {@code optimizer.exp_avg.NAME} and {@code optimizer.exp_avg_sq.NAME};
 *   <li>metadata {@code qqt.state}: JSON {@link State} (steps done, samples seen, AdamW step count, the
 *       loader's position, the seed, the full train config, and for fp16 the {@link LossScaler}'s state).
 * </ul>
 * No other randomness exists in a step (no dropout, no augmentation draws): the loader state is the RNG state.
 */
public final class Checkpoint {
    public static final String DIR = "checkpoints";
    public static final String LATEST = "latest.safetensors";
    static final String OPTIMIZER_PREFIX = "optimizer.";
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

    /** Writes model, optimiser and state to {@code file} atomically. */
    public static void save(Path file, Clip model, AdamW optimizer, State state) {
        Map<String, NDArray> tensors = new LinkedHashMap<>(model.parameters());
        optimizer.state().forEach((k, v) -> tensors.put(OPTIMIZER_PREFIX + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "qqt-checkpoint");
        meta.put(STATE_KEY, Json.compact(state));
        SafeTensors.write(file, tensors, meta);
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
                optimizer.state().forEach((k, v) -> r.readInto(OPTIMIZER_PREFIX + k, v));
                optimizer.restoreSteps(s.optimizerSteps());
            }
            return s;
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
