package org.qqt.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Locale;
import org.qqt.io.Hashes;
import org.qqt.io.Json;
import org.qqt.train.Checkpoint;

/**
 * Which checkpoint an eval result came from, recorded in each eval_results.jsonl line as {@code "checkpoint"}:
 * the file's name and content hash, its training step and samples seen, and the fingerprint of its run's training
 * config ({@link #runFingerprint}). Eval re-evaluates a task whose line names another checkpoint; fit, validate
 * and figure5 refuse a result whose step or run is not the finished run's.
 */
public record CheckpointId(@JsonProperty("file") String file, @JsonProperty("sha256") String sha256,
                           @JsonProperty("step") long step, @JsonProperty("samples_seen") long samplesSeen,
                           @JsonProperty("run") String run) {

    /** The id of the checkpoint file {@code ckpt} (hashes the file). */
    public static CheckpointId of(Path ckpt) {
        Checkpoint.State s = Checkpoint.readState(ckpt);
        return new CheckpointId(ckpt.getFileName().toString(), Hashes.sha256(ckpt), s.step(), s.samplesSeen(),
                runFingerprint(Json.mapper().valueToTree(s.config())));
    }

    /** The fingerprint of a run's training config: run.json's {@code "config"} or a checkpoint's. */
    public static String runFingerprint(JsonNode config) {
        return Hashes.fingerprint(config);
    }

    /** Parses a line's {@code "checkpoint"} object (null when absent). */
    static CheckpointId parse(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject() || !n.path("sha256").isTextual() || !n.path("step").canConvertToLong()) {
            throw new IllegalArgumentException("\"checkpoint\" is not {file, sha256, step, samples_seen, run}");
        }
        return new CheckpointId(n.path("file").asText(""), n.path("sha256").asText(), n.path("step").asLong(),
                n.path("samples_seen").asLong(), n.path("run").asText(""));
    }

    /** As in a line: {@code "checkpoint": {"file": ..., ...}}. */
    String toJson() {
        return String.format(Locale.ROOT, "{\"file\": %s, \"sha256\": %s, \"step\": %d, \"samples_seen\": %d, "
                + "\"run\": %s}", PyJson.string(file), PyJson.string(sha256), step, samplesSeen, PyJson.string(run));
    }

    /** "latest.safetensors (step 40, 1a2b3c4d)". */
    public String describe() {
        return file + " (step " + step + ", sha256 " + sha256.substring(0, Math.min(8, sha256.length())) + ")";
    }
}
