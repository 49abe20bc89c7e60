package org.qqt.data;

/**
 * A stream of batches for training (implemented by the shard loader; tests may implement it with random
 * tensors). Order is a pure function of the seed, so {@link #restore} after a kill gives identical batches.
 */
public interface BatchSource extends AutoCloseable {
    /** The next batch (blocks while decoding). */
    Batch next();

    /** The position after the last batch returned. */
    LoaderState state();

    /** Continue from a saved position. */
    void restore(LoaderState state);

    @Override
    void close();
}
