package org.qqt.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qqt.io.AtomicFiles;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

/**
 * runs/NAME/metrics.jsonl: one JSON object per optimiser step
 * {"step", "samples_seen", "loss", "lr", "logit_scale", "grad_norm", "samples_per_s"}. On resume, lines after
 * the checkpoint's step are dropped first, so the file always describes one uninterrupted run. This class is the
 * file's only writer and reader ({@link #read}: the training curve the Figure 5 report draws).
 */
public final class MetricsLog implements AutoCloseable {
    public static final String FILE = "metrics.jsonl";
    private final BufferedWriter out;

    /** What opening did to a torn last line (a kill in mid-write): null when there was none. */
    private String tornLine;

    /**
     * Opens for appending, keeping only lines with step ≤ {@code keepThroughStep}. A torn last line (a kill in
     * mid-write) is cut off and reported by {@link #tornLine}; any other unreadable line, or a step the
     * checkpoint has but the file lacks, is a one-line BadInputException naming the file: no step is dropped
     * silently.
     */
    MetricsLog(Path file, long keepThroughStep) {
        try {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                List<String> kept = new ArrayList<>();
                int last = lines.size() - 1;
                while (last >= 0 && lines.get(last).isBlank()) {
                    last--;
                }
                long expected = 1;
                for (int i = 0; i <= last; i++) {
                    String line = lines.get(i);
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode n;
                    try {
                        n = Json.mapper().readTree(line);
                    } catch (IOException e) {
                        if (i == last) {
                            tornLine = file + ": cut off a torn last line (line " + (i + 1) + ", a kill in mid-write)";
                            break;
                        }
                        throw BadInputException.inFile(file, "line " + (i + 1) + " is not JSON; restore the file, or "
                                + "train again into a new --out");
                    }
                    long step = n.path("step").asLong(Long.MAX_VALUE);
                    if (step <= keepThroughStep) {
                        if (step != expected) {
                            throw BadInputException.inFile(file, "line " + (i + 1) + " is step " + step + " where step "
                                    + expected + " was expected; restore the file, or train again into a new --out");
                        }
                        expected++;
                        kept.add(line);
                    }
                }
                if (expected != keepThroughStep + 1) {
                    throw BadInputException.inFile(file, "holds steps 1.." + (expected - 1) + " but the checkpoint is "
                            + "at step " + keepThroughStep + "; restore the file, or train again into a new --out");
                }
                AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
            }
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** "FILE: cut off a torn last line ..." when opening did so, else null. */
    String tornLine() {
        return tornLine;
    }

    /** One logged step: how many samples had been seen after it, and its training loss. */
    public record Line(long step, long samplesSeen, double loss) {}

    /**
     * Every step of a finished run's metrics file, in file order (a missing file: none). A line that is not JSON
     * is a one-line BadInputException naming the file.
     */
    public static List<Line> read(Path file) {
        List<Line> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = Json.mapper().readTree(lines.get(i));
                } catch (IOException e) {
                    throw BadInputException.inFile(file, "line " + (i + 1) + " is not JSON; restore the file, or "
                            + "train the run again");
                }
                out.add(new Line(n.path("step").asLong(), n.path("samples_seen").asLong(),
                        n.path("loss").asDouble(Double.NaN)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The loss on the last line of a metrics file, or NaN. */
    static double lastLoss(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return Json.mapper().readTree(lines.get(i)).path("loss").asDouble(Double.NaN);
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    void log(long step, long samplesSeen, double loss, double lr, double logitScale, double gradNorm,
            double samplesPerSecond) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("samples_seen", samplesSeen);
        m.put("loss", loss);
        m.put("lr", lr);
        m.put("logit_scale", logitScale);
        m.put("grad_norm", gradNorm);
        m.put("samples_per_s", Math.round(samplesPerSecond * 10) / 10.0);
        try {
            out.write(Json.compact(m));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
