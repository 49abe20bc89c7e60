package org.qqt.filter;

import java.util.List;

/**
 * What {@code qqt filter} selects: buckets of the pool ranked by {@code scoreColumn}, optionally a seeded random
 * {@code randomPercent}% of each bucket, over the rows that pass {@code caption}.
 *
 * @param randomPercent null for the whole bucket
 */
public record FilterSpec(String scoreColumn, List<ScoreRange> buckets, Double randomPercent, long seed,
                         CaptionFilter caption) {
    public FilterSpec {
        if (buckets.isEmpty()) {
            throw new org.qqt.io.BadInputException("nothing to select: give --top PERCENT and/or --range FROM-TO,...");
        }
        if (randomPercent != null && !(randomPercent > 0 && randomPercent <= 100)) {
            throw new org.qqt.io.BadInputException("--random must be a percentage in (0, 100], got " + randomPercent);
        }
        buckets = List.copyOf(buckets);
    }

    /** The output file name of a bucket: {@code top0-10.npy}, {@code top0-40-random25.npy}. */
    public String fileName(ScoreRange r) {
        return "top" + r.label() + (randomPercent == null ? "" : "-random" + ScoreRange.fmt(randomPercent)) + ".npy";
    }
}
