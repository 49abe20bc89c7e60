package org.qqt.filter;

/**
 * One written bucket, as recorded in {@code manifest.json}.
 *
 * @param thresholdLow  rows kept have score &gt;= this (null: no lower bound, the range reaches 100%)
 * @param thresholdHigh rows kept have score &lt; this (null: no upper bound, the range starts at 0%)
 * @param rankedCount   rows of the pool in the range before random subsampling
 * @param count         rows written
 * @param fraction      count / ranked rows of the pool
 * @param minScore      lowest score in the range (before random subsampling; null for an empty range)
 * @param maxScore      highest score in the range (before random subsampling; null for an empty range)
 */
public record BucketResult(String range, String file, double fromPercent, double toPercent, Double thresholdLow,
                           Double thresholdHigh, long rankedCount, long count, double fraction, Double minScore,
                           Double maxScore) {}
