package org.qqt.filter.baseline;

/** How the selected uids leave DuckDB: the product path and the baselines {@code qqt bench filter} compares. */
public enum UidTransfer {
    /**
     * The default ({@code OnePassFilter}): the score column once into Java (thresholds, counts), then one
     * streaming {@code SELECT uid, score} for all buckets through DuckDB's Arrow export, split in Java.
     */
    ONE_PASS,
    /** {@link #ONE_PASS} with one scan worker instead of one per core: what the parallel parts give. */
    ONE_PASS_ONE_WORKER,
    /**
     * The previous default, kept as the same-run baseline of {@code qqt bench filter}: thresholds by SQL over
     * a sample, then one {@code COPY (SELECT uid ... WHERE score in range) TO 'bucket.csv'} per bucket (one
     * scan of the uid column per bucket), read back by a byte loop and sorted in Java.
     */
    EXPORT,
    /** One JDBC row per uid (a Java String each, ~1 µs a row): the straightforward reference path. */
    ROWS
}
