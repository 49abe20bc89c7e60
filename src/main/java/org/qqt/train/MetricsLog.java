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
import org.qqt.io.Json;

/**
 * runs/NAME/metrics.jsonl: one JSON object per optimiser step
 * {"step", "samples_seen", "loss", "lr", "logit_scale", "grad_norm", "samples_per_s"}. On resume, lines after
 * the checkpoint's step are dropped first, so the file always describes one uninterrupted run.
 */
final class MetricsLog implements AutoCloseable {
    static final String FILE = "metrics.jsonl";
    private final BufferedWriter out;

    /** Opens for appending, keeping only lines with step ≤ {@code keepThroughStep}. */
    MetricsLog(Path file, long keepThroughStep) {
        try {
            if (Files.exists(file)) {
                List<String> kept = new ArrayList<>();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        JsonNode n = Json.mapper().readTree(line);
                        if (n.path("step").asLong(Long.MAX_VALUE) <= keepThroughStep) {
                            kept.add(line);
                        }
                    } catch (IOException e) {
                        break; // a torn last line from a kill: drop it and everything after
                    }
                }
                AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
            }
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
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
