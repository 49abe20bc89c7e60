package org.qqt.io;

import java.util.Locale;

/**
 * Throttled progress for long work (training, rendering a world, scoring a pool): {@link #tick} answers
 * "N samples/s, ETA 3m05s" at most once per interval, null in between, so the caller's loop stays cheap and the
 * caller decides what else goes on the line. The rate is measured since the previous report.
 */
public final class ProgressMeter {
    private final long total;
    private final long intervalNanos;
    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;
    private long lastDone;

    /**
     * @param total the count at which the work is finished
     * @param alreadyDone the count at start (a resumed run)
     * @param intervalSeconds the least time between two reports
     */
    public ProgressMeter(long total, long alreadyDone, double intervalSeconds) {
        this.total = total;
        this.lastDone = alreadyDone;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
    }

    /** "rate samples/s, ETA t" when a report is due (or {@code force}), else null. */
    public String tick(long done, boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastNanos < intervalNanos) {
            return null;
        }
        double rate = (done - lastDone) / Math.max((now - lastNanos) / 1e9, 1e-9);
        lastNanos = now;
        lastDone = done;
        return String.format(Locale.ROOT, "%,.0f samples/s, ETA %s", rate,
                duration(rate > 0 ? (total - done) / rate : Double.NaN));
    }

    /** Seconds since the meter was made. */
    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** 1h05m, 3m07s, or ? for an unknown duration. */
    public static String duration(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        long t = Math.round(seconds);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }
}
