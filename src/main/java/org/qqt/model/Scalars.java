package org.qqt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Scalar constants for arrays that autograd differentiates through.
 *
 * <p>Never write {@code x.mul(2f)} or {@code x.div(n)} on an array that needs a gradient. DJL 0.33's PyTorch
 * engine implements {@code mul(Number)} as {@code create(number)}, the op, then {@code close()} of the scalar;
 * on the CPU {@code create} wraps a fresh direct ByteBuffer with {@code torch::from_blob} (no copy, the buffer
 * owned only by the Java array). Autograd saves that scalar for the backward pass (d(x·c)/dx = c), so after the
 * close the graph holds a tensor whose memory belongs to an unreachable ByteBuffer: once a GC frees it and malloc
 * hands it out again, backward reads garbage. The forward pass (and the loss) is unaffected; the gradients
 * become wrong or NaN at a step that depends on GC timing, so runs of one command differ.
 *
 * <p>{@link #of} makes the scalar with {@code torch::full}, whose memory libtorch owns and reference-counts.
 */
public final class Scalars {
    private Scalars() {}

    /** A 0-dimensional float32 array holding {@code value}, owned by libtorch (safe to save for backward). */
    public static NDArray of(NDManager m, float value) {
        return m.full(new Shape(), value);
    }
}
