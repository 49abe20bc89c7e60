package org.qqt.data;

import java.nio.file.Path;

/**
 * A pool on disk, as {@code qqt synth} writes it and DataComp users arrange theirs:
 * {@code <pool>/shards/00000000.tar ...} and {@code <pool>/metadata.parquet}.
 */
public final class PoolLayout {
    private PoolLayout() {}

    /** The webdataset shards of a pool. */
    public static Path shards(Path pool) {
        return pool.resolve("shards");
    }

    /** The pool's metadata parquet (uid, text, sizes, score columns). */
    public static Path metadata(Path pool) {
        return pool.resolve("metadata.parquet");
    }
}
