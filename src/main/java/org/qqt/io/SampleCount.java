package org.qqt.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sample counts as users write them: {@code 640000000}, {@code 1.28e7}, {@code 32M}, {@code 1.6M},
 * {@code 12.8k}, {@code 2B} (k = 10^3, M = 10^6, B or G = 10^9; decimal, as DataComp's sizes are).
 */
public final class SampleCount {
    private SampleCount() {}

    public static double parse(String text) {
        return Math.rint(parseExact(text)); // counts are whole samples
    }

    /** {@link #parse} without the rounding to whole samples. */
    private static double parseExact(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new BadInputException("empty sample count; write e.g. 32M, 1.28e7 or 640000000");
        }
        double mult = 1;
        char last = Character.toUpperCase(s.charAt(s.length() - 1));
        switch (last) {
            case 'K' -> mult = 1e3;
            case 'M' -> mult = 1e6;
            case 'B', 'G' -> mult = 1e9;
            default -> { }
        }
        String num = mult == 1 ? s : s.substring(0, s.length() - 1);
        double v;
        try {
            v = Double.parseDouble(num.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new BadInputException("bad sample count '" + text + "'; write e.g. 32M, 1.28e7 or 640000000");
        }
        v = v * mult;
        if (!Double.isFinite(v) || v < 0) {
            throw new BadInputException("bad sample count '" + text + "': must be a finite number ≥ 0");
        }
        return v;
    }

    /** The largest training budget accepted: 10^13 samples, about 800 times DataComp xlarge's 12.8B. */
    public static final double MAX_BUDGET = 1e13;

    /**
     * A training budget or a sample count to keep: a whole number of samples, at least 1 and at most
     * {@link #MAX_BUDGET} (so that steps and sample counters fit in a long with room to spare).
     */
    public static long parseBudget(String option, String text) {
        double v;
        try {
            v = parseExact(text);
        } catch (BadInputException e) {
            throw new BadInputException(option + ": " + e.getMessage());
        }
        if (v != Math.rint(v)) {
            throw new BadInputException(option + " " + text.strip() + " is not a whole number of samples; write e.g. "
                    + SampleCount.format(Math.rint(v)));
        }
        if (v < 1) {
            throw new BadInputException(option + " " + text.strip() + " must be at least 1 sample");
        }
        if (v > MAX_BUDGET) {
            throw new BadInputException(option + " " + text.strip() + " is more than 10^13 samples (about 800 times "
                    + "DataComp xlarge's 12.8B): check the exponent");
        }
        return (long) v;
    }

    /** A comma-separated list, e.g. {@code 32M,64M,128M,640M}. */
    public static List<Double> parseList(String text) {
        List<Double> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(parse(part));
            }
        }
        if (out.isEmpty()) {
            throw new BadInputException("no sample counts in '" + text + "'; write e.g. 32M,64M,128M");
        }
        return out;
    }

    /** Compact display: 32M, 1.6M, 12.8k, 2.5B. */
    public static String format(double v) {
        String[] units = {"", "k", "M", "B"};
        int u = 0;
        double x = v;
        while (Math.abs(x) >= 1000 && u < units.length - 1) {
            x /= 1000;
            u++;
        }
        String num = (Math.rint(x) == x) ? String.format(Locale.ROOT, "%.0f", x)
                : String.format(Locale.ROOT, "%.3g", x).replaceAll("\\.?0+$", "");
        return num + units[u];
    }
}
