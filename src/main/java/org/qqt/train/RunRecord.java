package org.qqt.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * runs/NAME/run.json: what was trained, on what, and how far it got. {@code qqt fit} reads pool_name,
 * pool_size and samples_seen; {@code tokenizer} is "clip" or "compact" (then {@code vocab} names the run's
 * vocabulary file, "vocab.json", relative to the run directory) or null for random token rows; {@code status} is "running", "done" or "diverged" (a done run is not re-run).
 * {@code keep_at} lists the sample counts of {@code qqt train --keep-at} (null when none were asked for) and
 * {@code kept} the model-only checkpoints written so far, one entry per file, sorted by samples seen.
 * {@code samples_skipped} (set when the run is done; null before) counts the served places whose image did not
 * decode, filled by the next decodable sample.
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
        @JsonProperty("updated") String updated,
        @JsonProperty("keep_at") List<Long> keepAt,
        @JsonProperty("kept") List<Kept> kept,
        @JsonProperty("samples_skipped") Long samplesSkipped) {

    /** A record without a skip count (set at the end of a run by {@link #withSamplesSkipped}). */
    public RunRecord(String status, String pool, String subset, String poolName, long poolSize, String tokenizer,
                     String vocab, long samplesSeen, long seed, long steps, long stepsDone, Double finalLoss,
                     DataInfo data, TrainConfig config, String device, int threads, String checkpoint,
                     Map<String, String> versions, String started, String updated, List<Long> keepAt,
                     List<Kept> kept) {
        this(status, pool, subset, poolName, poolSize, tokenizer, vocab, samplesSeen, seed, steps, stepsDone,
                finalLoss, data, config, device, threads, checkpoint, versions, started, updated, keepAt, kept, null);
    }

    public static final String FILE = "run.json";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String DIVERGED = "diverged";

    /**
     * A kept model-only checkpoint ({@code qqt train --keep-at}): written at the end of {@code step}, after
     * {@code samples_seen} samples; {@code file} is relative to the run directory.
     */
    public record Kept(@JsonProperty("samples_seen") long samplesSeen, @JsonProperty("step") long step,
                       @JsonProperty("file") String file) {}

    RunRecord with(String newStatus, long done, Double loss, String now) {
        Double finite = loss == null || !Double.isFinite(loss) ? null : loss; // JSON has no NaN
        return new RunRecord(newStatus, pool, subset, poolName, poolSize, tokenizer, vocab, samplesSeen, seed, steps, done, finite, data,
                config, device, threads, checkpoint, versions, started, now, keepAt, kept, samplesSkipped);
    }

    /** This record with {@code keep_at} set (null or empty: none). */
    RunRecord withKeepAt(List<Long> targets) {
        List<Long> k = targets == null || targets.isEmpty() ? null : List.copyOf(targets);
        return new RunRecord(status, pool, subset, poolName, poolSize, tokenizer, vocab, samplesSeen, seed, steps,
                stepsDone, finalLoss, data, config, device, threads, checkpoint, versions, started, updated, k, kept,
                samplesSkipped);
    }

    /** This record with {@code k} in its kept list (replacing an entry for the same file: a re-done step). */
    RunRecord withKept(Kept k) {
        List<Kept> all = new ArrayList<>(kept == null ? List.of() : kept);
        all.removeIf(x -> x.file().equals(k.file()));
        all.add(k);
        all.sort(Comparator.comparingLong(Kept::samplesSeen));
        return new RunRecord(status, pool, subset, poolName, poolSize, tokenizer, vocab, samplesSeen, seed, steps,
                stepsDone, finalLoss, data, config, device, threads, checkpoint, versions, started, updated, keepAt,
                List.copyOf(all), samplesSkipped);
    }

    /**
     * This record with {@code samples_skipped}: the served places whose planned sample's image did not decode
     * (the next decodable sample stood in), counted over the whole run, resumes included.
     */
    RunRecord withSamplesSkipped(long n) {
        return new RunRecord(status, pool, subset, poolName, poolSize, tokenizer, vocab, samplesSeen, seed, steps,
                stepsDone, finalLoss, data, config, device, threads, checkpoint, versions, started, updated, keepAt,
                kept, n);
    }

    /** The kept checkpoints (empty when none). */
    public List<Kept> keptOrEmpty() {
        return kept == null ? List.of() : kept;
    }
}
