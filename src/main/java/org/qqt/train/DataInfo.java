package org.qqt.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a run trains on, for run.json: the data source kind ("shards" or the test mode "random"), the pool
 * directory, the subset file, the pool's name (read by {@code qqt fit}), its size in samples (one epoch), the
 * tokenizer ("clip", "compact", or null for random token rows) and, for a compact one, the vocabulary file
 * relative to the run directory ("vocab.json").
 */
public record DataInfo(
        @JsonProperty("kind") String kind,
        @JsonProperty("pool") String pool,
        @JsonProperty("subset") String subset,
        @JsonProperty("pool_name") String poolName,
        @JsonProperty("pool_size") long poolSize,
        @JsonProperty("tokenizer") String tokenizer,
        @JsonProperty("vocab") String vocab) {

    /** Without a tokenizer (random token rows). */
    public DataInfo(String kind, String pool, String subset, String poolName, long poolSize) {
        this(kind, pool, subset, poolName, poolSize, null, null);
    }
}
