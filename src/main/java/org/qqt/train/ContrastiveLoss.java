package org.qqt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.qqt.model.Scalars;

/**
 * CLIP's symmetric InfoNCE loss (open_clip's ClipLoss, single process), the one place where images meet texts.
 *
 * <pre>
 *   u_i = I_i / |I_i|,  v_j = T_j / |T_j|          L2-normalised features of the n pairs
 *   s_ij = c · u_i·v_j                               logits, c = exp(min(logit_scale, ln 100))
 *   L = ( Σ_i [lse_j s_ij − s_ii] + Σ_j [lse_i s_ij − s_jj] ) / 2n     rows (image→text) and columns
 * </pre>
 *
 * {@link #full} builds the n×n logits and lets autograd differentiate. {@link #blockwise} never holds more
 * than {@code block} rows of the n×n matrix: pass 1 computes each row's logsumexp and every column's logsumexp
 * with a running (max, sum) per column; pass 2 recomputes each block and accumulates the gradient
 * dL/ds_ij = (P_ij + Q_ij − 2·[i=j]) / 2n (P: row softmax, Q: column softmax) into
 * dL/du = c·G·V, dL/dv = c·Gᵀ·U and dL/dc = Σ G_ij·s_ij / c. Autograd then carries those gradients through
 * the towers via a surrogate Σ u·dL/du + Σ v·dL/dv + c·dL/dc, which has exactly these gradients.
 */
public final class ContrastiveLoss {
    private ContrastiveLoss() {}

    /** The loss value and the array to call backward on (the loss itself, or the blockwise surrogate). */
    public record Result(NDArray loss, NDArray backwardTarget) {}

    /** Rows scaled to unit L2 norm. */
    public static NDArray normalize(NDArray x) {
        return x.div(x.norm(new int[] {-1}, true));
    }

    /**
     * The whole n×n matrix at once; differentiable by autograd. The positives enter as c·Σ u_i·v_i (no identity
     * matrix is built), the logsumexps are shifted by their stopped maxima (exact gradients, no overflow).
     */
    public static Result full(NDArray imageFeatures, NDArray textFeatures, NDArray scale) {
        NDArray u = normalize(imageFeatures);
        NDArray v = normalize(textFeatures);
        long n = u.getShape().get(0);
        NDArray logits = u.matMul(v.transpose()).mul(scale);
        NDArray positives = u.mul(v).sum().mul(scale);
        NDArray lse = logSumExp(logits, 1).sum().add(logSumExp(logits, 0).sum());
        NDManager m = u.getManager();
        NDArray loss = lse.sub(positives.mul(Scalars.of(m, 2f))).div(Scalars.of(m, (float) (2.0 * n)));
        return new Result(loss, loss);
    }

    /** Same loss and gradients as {@link #full}, holding at most {@code block} rows of logits at a time. */
    public static Result blockwise(NDArray imageFeatures, NDArray textFeatures, NDArray scale, int block) {
        NDArray u = normalize(imageFeatures);
        NDArray v = normalize(textFeatures);
        NDManager outer = u.getManager();
        int n = (int) u.getShape().get(0);
        NDArray ud = u.stopGradient();
        NDArray vd = v.stopGradient();
        NDArray vdT = vd.transpose();
        float c = scale.stopGradient().getFloat();

        // pass 1: row logsumexp per block; column logsumexp by a running max and a rescaled sum
        List<NDArray> rowLse = new ArrayList<>();
        NDArray colMax = outer.full(vd.getShape().slice(0, 1), Float.NEGATIVE_INFINITY);
        NDArray colSum = outer.zeros(vd.getShape().slice(0, 1));
        for (int r0 = 0; r0 < n; r0 += block) {
            try (NDManager bm = outer.newSubManager()) {
                NDArray s = rows(ud, r0, Math.min(n, r0 + block), bm).matMul(vdT).mul(c);
                NDArray lse = logSumExp(s, 1);
                lse.attach(outer);
                rowLse.add(lse);
                NDArray newMax = s.max(new int[] {0}).maximum(colMax);
                NDArray rescale = newMax.neg().add(colMax).exp();
                NDArray blockSum = s.sub(newMax).exp().sum(new int[] {0});
                colSum.muli(rescale).addi(blockSum);
                newMax.copyTo(colMax);
            }
        }
        NDArray colLse = colSum.log().add(colMax);
        double positives = ud.mul(vd).sum().getFloat() * (double) c;
        double lossValue = (sumOf(rowLse) + colLse.sum().getFloat() - 2 * positives) / (2.0 * n);

        // pass 2: G = (P + Q − 2I) / 2n per block, and the gradients it implies. The −2I/2n part is added in
        // closed form (no identity block): −(c/n)·V to dL/du, −(c/n)·U to dL/dv, −Σ u_i·v_i / n to dL/dc.
        List<NDArray> gradU = new ArrayList<>();
        NDArray gradV = vd.mul(0f);
        double gradScale = -positives / c / n;
        for (int b = 0, r0 = 0; r0 < n; b++, r0 += block) {
            int r1 = Math.min(n, r0 + block);
            try (NDManager bm = outer.newSubManager()) {
                NDArray ub = rows(ud, r0, r1, bm);
                NDArray s = ub.matMul(vdT).mul(c);
                NDArray p = s.sub(rowLse.get(b).expandDims(1)).exp();
                NDArray q = s.sub(colLse).exp();
                NDArray g = p.add(q).div((float) (2.0 * n));
                NDArray gu = g.matMul(vd).mul(c).sub(rows(vd, r0, r1, bm).mul((float) (c / n)));
                gu.attach(outer);
                gradU.add(gu);
                gradV.addi(g.transpose().matMul(ub).mul(c));
                gradScale += g.mul(s).sum().getFloat() / c;
            }
        }
        gradV.subi(ud.mul((float) (c / n)));
        NDArray gu = NDArrays.concat(new NDList(gradU), 0);
        NDArray surrogate = u.mul(gu).sum().add(v.mul(gradV).sum()).add(scale.mul(Scalars.of(outer, (float) gradScale)));
        NDArray loss = outer.create((float) lossValue);
        return new Result(loss, surrogate);
    }

    private static NDArray rows(NDArray x, int r0, int r1, NDManager bm) {
        NDArray r = x.get(r0 + ":" + r1);
        r.attach(bm);
        return r;
    }

    /**
     * log Σ exp along {@code axis}, shifted by the maximum taken out of the autograd graph (exact gradients where
     * {@code s} is recorded, no overflow).
     */
    private static NDArray logSumExp(NDArray s, int axis) {
        NDArray max = s.max(new int[] {axis}, true).stopGradient();
        return s.sub(max).exp().sum(new int[] {axis}).log().add(max.squeeze(axis));
    }

    private static double sumOf(List<NDArray> parts) {
        double total = 0;
        for (NDArray p : parts) {
            total += p.sum().getFloat();
        }
        return total;
    }
}
