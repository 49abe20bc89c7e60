package org.qqt.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a run trains on, for run.json: the data source kind ("shards" or the test mode "random"), the pool
 * directory, the subset file, the pool's name (read by {@code qqt fit}) and its size in samples (one epoch).
 */
public record DataInfo(
        @JsonProperty("kind") String kind,
        @JsonProperty("pool") String pool,
        @JsonProperty("subset") String subset,
        @JsonProperty("pool_name") String poolName,
        @JsonProperty("pool_size") long poolSize) {}
