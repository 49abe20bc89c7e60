package org.qqt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.qqt.model.TorchScriptModule;

/**
 * AdamW (Loshchilov and Hutter) whose state is plain arrays this class owns, so a checkpoint saves it exactly:
 * the first and second moments of every parameter and the step count. The update is PyTorch's
 * torch.optim.AdamW (pinned by a test against the formula computed by hand), run as libtorch's multi-tensor kernel
 * {@code torch._fused_adamw_} (what {@code torch.optim.AdamW(fused=True)} calls) once per parameter group, from a
 * TorchScript module ({@code adamw.py}; DJL exposes no multi-tensor op):
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

    /** libtorch's multi-tensor ops ({@code adamw.py}): the update, the gradient norm and the zeroing. */
    private final TorchScriptModule fused;
    /** Every parameter, as one libtorch list (the arrays' tensors, so in-place updates show through). */
    private final IValue all;
    /** Parameters, first and second moments of the decay group, then of the no-decay group; null when empty. */
    private final IValue[] decayGroup;
    private final IValue[] noDecayGroup;

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
        fused = TorchScriptModule.fromResource(AdamW.class, "adamw.py", "qqt_adamw", parent.getDevice());
        all = tensors(slots, Slot::param);
        decayGroup = group(slots.stream().filter(Slot::decay).toList());
        noDecayGroup = group(slots.stream().filter(s -> !s.decay).toList());
    }

    private static IValue[] group(List<Slot> members) {
        return members.isEmpty() ? null
                : new IValue[] {tensors(members, Slot::param), tensors(members, Slot::m), tensors(members, Slot::v)};
    }

    private static IValue tensors(List<Slot> members, Function<Slot, NDArray> part) {
        return IValue.listFrom(members.stream().map(s -> (PtNDArray) part.apply(s)).toArray(PtNDArray[]::new));
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

    /** L2 norm of all gradients together: one multi-tensor norm, then the norm of those (one read). */
    public double gradientNorm() {
        try (IValue norm = fused.call("forward", all);
             NDManager tmp = manager.newSubManager();
             NDArray n = norm.toTensor((PtNDManager) tmp)) {
            return n.getFloat();
        }
    }

    /** Sets every gradient to zero (after a step that was not applied: non-finite, or skipped by the loss scaler). */
    public void zeroGradients() {
        fused.call("zero", all).close();
    }

    /**
     * One AdamW update with learning rate {@code lr}, gradients first multiplied by {@code gradScale}
     * (1 = unchanged; global-norm clipping passes max_norm / norm); then zeroes every gradient.
     */
    public void step(double lr, double gradScale) {
        step++;
        // libtorch's multi-tensor AdamW kernel (torch._fused_adamw_, as torch.optim.AdamW(fused=True)) once per
        // group: it divides the gradients by the divisor, takes the bias corrections from the step count, and
        // computes torch's AdamW formula (class comment) in one pass over each parameter; then one multi-tensor zero
        double divisor = gradScale == 1 ? 1 : 1 / gradScale;
        update(decayGroup, weightDecay, lr, divisor);
        update(noDecayGroup, 0, lr, divisor);
    }

    private void update(IValue[] group, double decay, double lr, double divisor) {
        if (group == null) {
            return;
        }
        IValue[] args = {IValue.from(decay), IValue.from((double) step), IValue.from(lr), IValue.from(beta1),
            IValue.from(beta2), IValue.from(eps), IValue.from(divisor)};
        IValue[] inputs = new IValue[group.length + args.length];
        System.arraycopy(group, 0, inputs, 0, group.length);
        System.arraycopy(args, 0, inputs, group.length, args.length);
        try {
            fused.call("step", inputs).close();
        } finally {
            for (IValue a : args) {
                a.close();
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
        for (IValue[] g : new IValue[][] {decayGroup, noDecayGroup}) {
            if (g != null) {
                for (IValue v : g) {
                    v.close();
                }
            }
        }
        all.close();
        fused.close();
        manager.close();
    }
}
