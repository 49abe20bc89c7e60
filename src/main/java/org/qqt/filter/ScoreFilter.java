package org.qqt.filter;

import java.nio.file.Path;
import java.util.List;
import org.qqt.data.PoolMetadata;
import org.qqt.io.Json;

/**
 * The filter stage: ranks a pool's rows by a score column and writes quality buckets as DataComp subset files.
 *
 * <ol>
 *   <li>Rows count when their score is neither null nor NaN and their caption passes the {@link CaptionFilter};
 *       N is their number.</li>
 *   <li>threshold(f) = the score at index {@code (long) (N * f)} of the scores sorted descending (DataComp's
 *       {@code get_threshold}); for f = 1 there is no threshold.</li>
 *   <li>Range [p, q) keeps {@code threshold(q) <= score < threshold(p)} (no upper bound for p = 0). Consecutive
 *       ranges therefore partition the ranked rows exactly; rows tied with a threshold all go to the higher
 *       bucket, so a bucket can hold a little more than its share (and the one below a little less), exactly as
 *       DataComp's {@code score >= threshold} keeps every tie.</li>
 *   <li>{@code --random r}: of a bucket's n rows, {@code (long) (n * r / 100.0)} are drawn without replacement by
 *       selection sampling over the rows in uid order with {@code java.util.Random(seed)}, fresh for every
 *       bucket, so the draw is reproducible and independent of DuckDB's scan order.</li>
 * </ol>
 * Each bucket is written to a staging directory first; when all are written they are renamed into place and
 * {@code manifest.json} is written last. A failure leaves the output directory as it was.
 */
public final class ScoreFilter {
    private ScoreFilter() {}

    /** Filters {@code pool} by {@code spec} into {@code outDir}; {@code command} is recorded in the manifest. */
    public static FilterManifest run(PoolMetadata pool, FilterSpec spec, Path outDir, String command) {
        return run(pool, spec, outDir, command, Runtime.getRuntime().availableProcessors(), memoryBudgetUids(),
                FilterPhases.NONE);
    }

    /**
     * {@link #run} with {@code workers} scan workers, at most {@code budgetUids} uids held in memory before
     * spilling, and {@code phases} recording where the time goes ({@link OnePassFilter}).
     */
    public static FilterManifest run(PoolMetadata pool, FilterSpec spec, Path outDir, String command, int workers,
                                     long budgetUids, FilterPhases phases) {
        FilterQuery q = FilterQuery.of(pool, spec);
        OnePassFilter.Plan plan = OnePassFilter.plan(pool, spec, q.score(), q.captionWhere(), q.params(), workers,
                phases);
        BucketResult[] results = StagedOutput.publish(outDir, stage -> OnePassFilter.write(pool, spec, plan,
                q.score(), q.uid(), q.where(), q.params(), stage, budgetUids, workers, phases));
        return writeManifest(pool, spec, outDir, command, plan.n(), results);
    }

    /** The default most uids held in memory before the one-pass filter spills them (60% of the heap). */
    public static long memoryBudgetUids() {
        return OnePassFilter.memoryBudgetUids();
    }

    /** Writes {@code manifest.json} last, once every bucket file is in place. */
    public static FilterManifest writeManifest(PoolMetadata pool, FilterSpec spec, Path outDir, String command,
                                               long n, BucketResult[] results) {
        FilterManifest manifest = new FilterManifest(FilterManifest.FORMAT, 1,
                pool.files().stream().map(f -> f.toAbsolutePath().normalize().toString()).toList(),
                spec.scoreColumn(), pool.rowCount(), n, FilterManifest.RULE,
                spec.caption().active() ? spec.caption() : null, spec.randomPercent(), spec.seed(), command,
                List.of(results));
        Json.write(outDir.resolve("manifest.json"), manifest);
        return manifest;
    }
}
