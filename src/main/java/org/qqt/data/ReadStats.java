package org.qqt.data;

/**
 * What a pass over webdataset shards met: shards opened, shards with no samples, shards cut short by a read
 * error (truncated or not a tar: reading stops at the error and goes on with the next shard), samples
 * returned, and samples dropped because a read error cut them (their members may be incomplete).
 */
public record ReadStats(int shards, int shardsEmpty, int shardsCorrupt, long samples, long samplesCut) {}
