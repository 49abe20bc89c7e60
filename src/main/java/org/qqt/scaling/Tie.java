package org.qqt.scaling;

import java.util.ArrayList;
import java.util.List;
import org.qqt.io.BadInputException;

/**
 * Which pool parameters are shared (tied) by the pools of one group: b, τ, both or neither. Groups come from the
 * input's optional {@code group} column (pools without one form a group of their own); without that column all
 * pools form one group. a and d are always shared by every pool.
 *
 * @param b pools of a group share b
 * @param tau pools of a group share τ
 */
public record Tie(boolean b, boolean tau) {
    public static final Tie NONE = new Tie(false, false);

    public boolean any() {
        return b || tau;
    }

    /** The tied parameter names as written in params.json and on the command line ("b", "tau"). */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        if (b) {
            out.add("b");
        }
        if (tau) {
            out.add("tau");
        }
        return out;
    }

    /** Parses {@code --tie b,tau}, {@code b}, {@code tau} or {@code none}. */
    public static Tie parse(String text) {
        boolean b = false;
        boolean tau = false;
        for (String part : text.split(",")) {
            switch (part.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "b" -> b = true;
                case "tau", "τ" -> tau = true;
                case "none", "" -> { }
                default -> throw new BadInputException("--tie '" + text + "': list the shared pool parameters, "
                        + "b,tau or b or tau (or none)");
            }
        }
        return new Tie(b, tau);
    }

    @Override
    public String toString() {
        return any() ? String.join(",", names()) : "none";
    }
}
