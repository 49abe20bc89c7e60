package org.qqt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/** fp32 linear maps and a hand-written attention (scaled q, masked softmax) as DJL ops. */
final class DjlOps implements MatmulOps {
    @Override
    public NDArray linear(NDArray x, NDArray w, NDArray b) {
        return Linear.linear(x, w, b).singletonOrThrow();
    }

    @Override
    public NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask) {
        long hd = q.getShape().get(3);
        NDArray scores = q.mul(Scalars.of(q.getManager(), (float) (1.0 / Math.sqrt(hd))))
                .matMul(k.transpose(0, 1, 3, 2)); // (B, H, T, T)
        if (mask != null) {
            scores = scores.add(mask);
        }
        return scores.softmax(-1).matMul(v);
    }

    @Override
    public void close() {}
}
