package org.qqt.data;

/**
 * Where a {@link BatchSource} is, saved in checkpoints so a resumed run sees exactly the batches an
 * uninterrupted run would: the seed, the epoch, the position within that epoch's seeded order, the exact count
 * of samples served so far, and how many of the served places were filled by the next sample because the
 * planned one's image did not decode ({@code samplesSkipped}; null in checkpoints written before it was counted).
 */
public record LoaderState(long seed, long epoch, long indexInEpoch, long samplesServed, Long samplesSkipped) {

    /** A position with no skipped sample. */
    public LoaderState(long seed, long epoch, long indexInEpoch, long samplesServed) {
        this(seed, epoch, indexInEpoch, samplesServed, 0L);
    }

    /** Skipped samples so far (0 when the checkpoint predates the count). */
    public long skipped() {
        return samplesSkipped == null ? 0 : samplesSkipped;
    }
}
