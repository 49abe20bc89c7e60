package org.qqt.train;

/** The loss or the gradients became NaN or infinite; the run stopped and kept its last good checkpoint. */
public class DivergedException extends RuntimeException {
    public DivergedException(String message) {
        super(message);
    }
}
