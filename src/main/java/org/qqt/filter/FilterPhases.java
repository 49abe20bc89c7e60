package org.qqt.filter;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Wall-clock time of the phases of one filter run on the default path, for {@code qqt bench filter}: where the
 * time of a job goes. The time between two marks is charged to the phase of the second mark; the disabled
 * instance ({@link #NONE}) records nothing.
 */
public final class FilterPhases {
    /** The phases, in the order a run passes them. */
    public enum Phase {
        /** The score column scanned into memory (with the first selection histogram). */
        SCORES,
        /** Thresholds, segment counts and bucket extremes by radix selection. */
        RANK,
        /** The uid store allocated (arrays, or spill files) and the sort's scratch array. */
        STORE,
        /** The uid scan (DuckDB's export, hex decoding, routing to buckets), and reading spilled buckets back. */
        UIDS,
        /** Buckets sorted (and sampled). */
        SORT,
        /** Waiting for the writer threads (bucket files written and flushed to disk). */
        WRITE;

        /** The phase's name in lower case, as the benchmark prints it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final FilterPhases NONE = new FilterPhases(false);

    private final boolean enabled;
    private final double[] seconds = new double[Phase.values().length];
    private long last;

    private FilterPhases(boolean enabled) {
        this.enabled = enabled;
        this.last = System.nanoTime();
    }

    /** A recording instance; the clock starts now. */
    public static FilterPhases recording() {
        return new FilterPhases(true);
    }

    /** Restarts the clock without charging anything. */
    void start() {
        if (enabled) {
            last = System.nanoTime();
        }
    }

    /** Ends {@code phase}: the time since the previous mark is charged to it. */
    void end(Phase phase) {
        if (enabled) {
            long now = System.nanoTime();
            seconds[phase.ordinal()] += (now - last) / 1e9;
            last = now;
        }
    }

    /** Seconds per phase label, in phase order. */
    public Map<String, Double> seconds() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Phase p : Phase.values()) {
            out.put(p.label(), seconds[p.ordinal()]);
        }
        return out;
    }
}
