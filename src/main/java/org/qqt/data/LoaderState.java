package org.qqt.data;

/**
 * Where a {@link BatchSource} is, saved in checkpoints so a resumed run sees exactly the batches an
 * uninterrupted run would: the seed, the epoch, the position within that epoch's seeded order, and the
 * exact count of samples served so far.
 */
public record LoaderState(long seed, long epoch, long indexInEpoch, long samplesServed) {}
