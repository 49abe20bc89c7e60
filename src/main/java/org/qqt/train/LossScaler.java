package org.qqt.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Dynamic loss scaling for fp16 training, as torch.cuda.amp.GradScaler: the loss is multiplied by {@link #scale}
 * before the backward pass so that small gradients do not underflow fp16; the optimiser divides the gradients by
 * the same scale (folded into its gradient rescale, no extra op). A step whose gradients are not all finite is
 * skipped (no update, gradients zeroed) and the scale is multiplied by {@code backoff}; after {@code interval}
 * finite steps in a row it is multiplied by {@code growth}. The scale and the count of finite steps are the
 * whole state, saved in every checkpoint so a resumed run continues bitwise.
 *
 * <p>The disabled scaler ({@link #disabled}, for fp32 and bf16) has scale 1 and never skips.
 */
public final class LossScaler {
    /** torch's GradScaler defaults. */
    public static final double INITIAL_SCALE = 65536;
    public static final double GROWTH = 2;
    public static final double BACKOFF = 0.5;
    public static final int INTERVAL = 2000;

    /** What a checkpoint keeps: the scale and the finite steps since it last changed. */
    public record State(@JsonProperty("scale") double scale, @JsonProperty("good_steps") long goodSteps) {}

    private final boolean enabled;
    private final double growth;
    private final double backoff;
    private final int interval;
    private double scale;
    private long goodSteps;

    public LossScaler(double initialScale, double growth, double backoff, int interval) {
        if (!(initialScale > 0) || !(growth > 1) || !(backoff > 0 && backoff < 1) || interval < 1) {
            throw new IllegalArgumentException("loss scaler needs scale > 0, growth > 1, 0 < backoff < 1, interval ≥ 1");
        }
        this.enabled = true;
        this.scale = initialScale;
        this.growth = growth;
        this.backoff = backoff;
        this.interval = interval;
    }

    private LossScaler() {
        this.enabled = false;
        this.scale = 1;
        this.growth = 1;
        this.backoff = 1;
        this.interval = Integer.MAX_VALUE;
    }

    /** Scale 1, never skips: fp32 and bf16. */
    public static LossScaler disabled() {
        return new LossScaler();
    }

    /** torch's defaults for fp16; {@link #disabled} otherwise. */
    public static LossScaler forPrecision(Precision p) {
        return p.scalesLoss() ? new LossScaler(INITIAL_SCALE, GROWTH, BACKOFF, INTERVAL) : disabled();
    }

    public boolean enabled() {
        return enabled;
    }

    /** The factor the loss is multiplied by before backward. */
    public double scale() {
        return scale;
    }

    /**
     * Records one step's outcome: {@code finite} is whether every (scaled) gradient is finite. Returns whether the
     * optimiser should step (always true when disabled); backs off or grows the scale.
     */
    public boolean update(boolean finite) {
        if (!enabled) {
            return true;
        }
        if (!finite) {
            scale *= backoff;
            goodSteps = 0;
            return false;
        }
        if (++goodSteps >= interval) {
            scale *= growth;
            goodSteps = 0;
        }
        return true;
    }

    /** The state to checkpoint; null when disabled (fp32 and bf16 checkpoints carry none). */
    public State state() {
        return enabled ? new State(scale, goodSteps) : null;
    }

    /** Continues from a checkpoint's state (ignored when null). */
    public void restore(State s) {
        if (s != null && enabled) {
            scale = s.scale();
            goodSteps = s.goodSteps();
        }
    }
}
