package org.qqt.train;

import org.qqt.data.Batch;
import org.qqt.data.BatchSource;
import org.qqt.data.LoaderState;

/** The same batch every step (overfitting tests); its state counts the samples served. */
public final class FixedBatchSource implements BatchSource {
    private final Batch batch;
    private long served;

    public FixedBatchSource(Batch batch) {
        this.batch = batch;
    }

    @Override
    public Batch next() {
        served += batch.size();
        return batch;
    }

    @Override
    public LoaderState state() {
        return new LoaderState(0, 0, served, served);
    }

    @Override
    public void restore(LoaderState state) {
        served = state.samplesServed();
    }

    @Override
    public void close() {}
}
