package org.qqt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter) whose state is plain arrays this class owns, so a checkpoint saves it exactly:
 * the first and second moments of every parameter and the step count. The update is PyTorch's
 * torch.optim.AdamW (pinned by a test against the formula computed by hand), run as one fused libtorch kernel
 * per parameter:
 * <pre>
 *   p ← p·(1 − lr·wd)                 only for parameters in the decay group
 *   m ← β1·m + (1−β1)·g;   v ← β2·v + (1−β2)·g²
 *   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε)
 * </pre>
 * Two parameter groups: weight decay applies to the weight matrices of linear maps and the patch embedding;
 * not to gains, biases, the logit scale, the token/class embeddings or the positional embeddings
 * ({@link #decays}). After the update every gradient is zeroed (libtorch accumulates gradients).
 */
public final class AdamW implements AutoCloseable {
    private final NDManager manager;
    private final List<Slot> slots = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private long step;

    private record Slot(String name, NDArray param, NDArray m, NDArray v, boolean decay) {}

    public AdamW(Map<String, NDArray> parameters, NDManager parent, double beta1, double beta2, double eps,
            double weightDecay) {
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        parameters.forEach((name, p) -> slots.add(new Slot(name, p, manager.zeros(p.getShape()),
                manager.zeros(p.getShape()), decays(name, p.getShape().dimension()))));
    }

    /** The decay rule: matrices of linear maps and convolutions decay; vectors, scalars and embeddings do not. */
    public static boolean decays(String name, int dimensions) {
        return dimensions >= 2 && !name.contains("embedding");
    }

    /** Names of the parameters in the decay (true) or no-decay (false) group, in parameter order. */
    public List<String> group(boolean decay) {
        return slots.stream().filter(s -> s.decay == decay).map(Slot::name).toList();
    }

    /** Updates applied so far (t in the bias corrections). */
    public long steps() {
        return step;
    }

    /** L2 norm of all gradients together: one norm per parameter, then the norm of those (P + 2 ops, one read). */
    public double gradientNorm() {
        try (NDManager tmp = manager.newSubManager()) {
            NDList norms = new NDList(slots.size());
            for (Slot s : slots) {
                NDArray g = s.param.getGradient();
                g.attach(tmp);
                norms.add(g.norm());
            }
            return NDArrays.stack(norms).norm().getFloat();
        }
    }

    /** Sets every gradient to zero (after a step that was not applied: non-finite, or skipped by the loss scaler). */
    public void zeroGradients() {
        for (Slot s : slots) {
            JniUtils.zeroGrad((PtNDArray) s.param);
        }
    }

    /**
     * One AdamW update with learning rate {@code lr}, gradients first multiplied by {@code gradScale}
     * (1 = unchanged; global-norm clipping passes max_norm / norm); then zeroes every gradient.
     */
    public void step(double lr, double gradScale) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        // libtorch's fused Adam kernel as DJL exposes it: w ← w·(1 − lr·wd) (adamw), m, v as above,
        // w ← w − lrc · m / (√v + ε'). With lrc = lr·√bc2/bc1 and ε' = ε·√bc2 this is exactly torch's AdamW.
        float lrc = (float) (lr * Math.sqrt(bc2) / bc1);
        float epsc = (float) (eps * Math.sqrt(bc2));
        try (NDManager tmp = manager.newSubManager()) {
            for (Slot s : slots) {
                NDArray g = s.param.getGradient();
                g.attach(tmp);
                s.param.getNDArrayInternal().adamUpdate(new NDList(s.param, g, s.m, s.v), new NDList(s.param),
                        (float) lr, lrc, s.decay ? (float) weightDecay : 0f, (float) gradScale, Float.MAX_VALUE,
                        (float) beta1, (float) beta2, epsc, false, true);
                JniUtils.zeroGrad((PtNDArray) s.param);
            }
        }
    }

    /** Moments by name ({@code exp_avg.NAME}, {@code exp_avg_sq.NAME}, as torch's state), for checkpoints. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Slot s : slots) {
            out.put("exp_avg." + s.name, s.m);
            out.put("exp_avg_sq." + s.name, s.v);
        }
        return out;
    }

    /** Restores the step count; the moments are restored by writing into {@link #state()}'s arrays. */
    public void restoreSteps(long steps) {
        this.step = steps;
    }

    @Override
    public void close() {
        manager.close();
    }
}
