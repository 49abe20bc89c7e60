package org.qqt.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Wall time of runs, read from the time stamps the {@link RunRunner} writes to each run's {@code log.txt}
 * ({@code == qqt sweep: <instant> stage NAME: ...} and {@code == qqt sweep: <instant> run done}).
 *
 * @param runSeconds  the sum over runs of their stages' durations (a stage that was killed is not counted)
 * @param spanSeconds from the first stage start to the last time stamp over all runs: the elapsed time when the
 *                    runs shared the machine side by side (0 when no run has a log)
 * @param runs        runs with a log
 */
public record RunTimes(double runSeconds, double spanSeconds, int runs) {
    private static final String PREFIX = "== qqt sweep: ";

    public static RunTimes of(List<Path> runDirs) {
        double sum = 0;
        Instant first = null;
        Instant last = null;
        int n = 0;
        for (Path dir : runDirs) {
            Path log = dir.resolve(RunState.LOG);
            if (!Files.isRegularFile(log)) {
                continue;
            }
            n++;
            List<String> lines;
            try {
                lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            } catch (java.nio.charset.MalformedInputException e) {
                continue;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Instant stageStart = null;
            for (String line : lines) {
                if (!line.startsWith(PREFIX)) {
                    continue;
                }
                Instant t = stamp(line);
                if (t == null) { // "stage X killed/interrupted": that stage's time is unknown
                    stageStart = null;
                    continue;
                }
                if (stageStart != null) {
                    sum += (t.toEpochMilli() - stageStart.toEpochMilli()) / 1000.0;
                }
                stageStart = line.substring(PREFIX.length()).contains(" stage ") ? t : null;
                first = first == null || t.isBefore(first) ? t : first;
                last = last == null || t.isAfter(last) ? t : last;
            }
        }
        double span = first == null ? 0 : (last.toEpochMilli() - first.toEpochMilli()) / 1000.0;
        return new RunTimes(sum, span, n);
    }

    private static Instant stamp(String line) {
        String rest = line.substring(PREFIX.length());
        int sp = rest.indexOf(' ');
        try {
            return Instant.parse(sp < 0 ? rest : rest.substring(0, sp));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** "wall time: 12.3 min summed over 8 runs, 6.5 min elapsed; 2 cores". */
    public String describe() {
        return String.format(Locale.ROOT, "wall time: %.1f min summed over %d runs, %.1f min elapsed first start to "
                + "last end; this machine has %d cores", runSeconds / 60, runs, spanSeconds / 60,
                Runtime.getRuntime().availableProcessors());
    }
}
