package org.qqt.filter;

import java.util.List;

/**
 * {@code manifest.json}, written last by {@code qqt filter}: where each bucket came from and how it was cut.
 *
 * @param poolRows      rows in the metadata
 * @param rankedRows    rows with a non-null, non-NaN score that pass the caption filter (N of the threshold rule)
 * @param randomPercent null when whole buckets were written
 * @param captionFilter null when no caption filter was applied
 */
public record FilterManifest(String format, int version, List<String> sources, String scoreColumn, long poolRows,
                             long rankedRows, String thresholdRule, CaptionFilter captionFilter, Double randomPercent,
                             long seed, String command, List<BucketResult> buckets) {
    public static final String FORMAT = "qqt-filter-manifest";
    public static final String RULE = "DataComp: threshold(f) = score at index int(N*f) of the scores sorted "
            + "descending; range [p,q) keeps threshold(q) <= score < threshold(p); ties at a threshold go to the "
            + "higher bucket";
}
