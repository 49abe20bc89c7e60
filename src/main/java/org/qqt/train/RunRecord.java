package org.qqt.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * runs/NAME/run.json: what was trained, on what, and how far it got. {@code qqt fit} reads pool_name,
 * pool_size and samples_seen; {@code tokenizer} is "clip" or "compact" (then {@code vocab} names the run's
 * vocabulary file, "vocab.json", relative to the run directory) or null for random token rows; {@code status} is "running", "done" or "diverged" (a done run is not re-run).
 */
public record RunRecord(
        @JsonProperty("status") String status,
        @JsonProperty("pool") String pool,
        @JsonProperty("subset") String subset,
        @JsonProperty("pool_name") String poolName,
        @JsonProperty("pool_size") long poolSize,
        @JsonProperty("tokenizer") String tokenizer,
        @JsonProperty("vocab") String vocab,
        @JsonProperty("samples_seen") long samplesSeen,
        @JsonProperty("seed") long seed,
        @JsonProperty("steps") long steps,
        @JsonProperty("steps_done") long stepsDone,
        @JsonProperty("final_loss") Double finalLoss,
        @JsonProperty("data") DataInfo data,
        @JsonProperty("config") TrainConfig config,
        @JsonProperty("device") String device,
        @JsonProperty("threads") int threads,
        @JsonProperty("checkpoint") String checkpoint,
        @JsonProperty("versions") Map<String, String> versions,
        @JsonProperty("started") String started,
        @JsonProperty("updated") String updated) {

    public static final String FILE = "run.json";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String DIVERGED = "diverged";

    RunRecord with(String newStatus, long done, Double loss, String now) {
        Double finite = loss == null || !Double.isFinite(loss) ? null : loss; // JSON has no NaN
        return new RunRecord(newStatus, pool, subset, poolName, poolSize, tokenizer, vocab, samplesSeen, seed, steps, done, finite, data,
                config, device, threads, checkpoint, versions, started, now);
    }
}
