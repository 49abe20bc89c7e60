package org.qqt.filter;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.qqt.io.BadInputException;

/**
 * A quality bucket: the pool's rows ranked by score descending, from {@code fromPercent} (inclusive) to
 * {@code toPercent} of the ranking. {@code top10} is 0–10, a decile 10–20, and so on.
 */
public record ScoreRange(double fromPercent, double toPercent) {
    public ScoreRange {
        if (!(fromPercent >= 0 && fromPercent <= 100 && toPercent >= 0 && toPercent <= 100)) {
            throw new BadInputException("percentages must lie in 0-100, got " + fmt(fromPercent) + "-" + fmt(toPercent));
        }
        if (!(fromPercent < toPercent)) {
            throw new BadInputException("range " + fmt(fromPercent) + "-" + fmt(toPercent)
                    + " is empty; write FROM-TO with FROM < TO, e.g. 10-20");
        }
    }

    /** The top {@code percent}% of the ranking. */
    public static ScoreRange top(double percent) {
        if (!(percent > 0 && percent <= 100)) {
            throw new BadInputException("--top must be a percentage in (0, 100], got " + fmt(percent));
        }
        return new ScoreRange(0, percent);
    }

    /** Parses {@code 0-10,10-20,20-30}; ranges must not overlap (touching ends are fine). */
    public static List<ScoreRange> parseList(String text) {
        List<ScoreRange> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-', 1);
            if (dash < 0) {
                throw new BadInputException("bad range '" + p + "'; write FROM-TO in percent, e.g. 0-10,10-20");
            }
            out.add(new ScoreRange(percent(p.substring(0, dash), p), percent(p.substring(dash + 1), p)));
        }
        if (out.isEmpty()) {
            throw new BadInputException("no ranges in '" + text + "'; write e.g. 0-10,10-20,20-30,30-40");
        }
        List<ScoreRange> sorted = new ArrayList<>(out);
        sorted.sort(Comparator.comparingDouble(ScoreRange::fromPercent));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).fromPercent() < sorted.get(i - 1).toPercent()) {
                throw new BadInputException("ranges " + sorted.get(i - 1).label() + " and " + sorted.get(i).label()
                        + " overlap; give disjoint ranges such as 0-10,10-20");
            }
        }
        return out;
    }

    private static double percent(String s, String range) {
        try {
            double v = new BigDecimal(s.strip()).doubleValue();
            if (!(v >= 0 && v <= 100)) {
                throw new BadInputException("percentages must lie in 0-100, got '" + range + "'");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new BadInputException("bad range '" + range + "'; write FROM-TO in percent, e.g. 0-10,10-20");
        }
    }

    /** {@code 0-10}, {@code 12.5-25}. */
    public String label() {
        return fmt(fromPercent) + "-" + fmt(toPercent);
    }

    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        return Math.rint(v) == v && Math.abs(v) < 1e15 ? Long.toString((long) v) : BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
