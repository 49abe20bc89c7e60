package org.qqt.scaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.qqt.eval.CheckpointId;
import org.qqt.eval.ClassificationMetrics;
import org.qqt.eval.EvalResultsFile;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;

/**
 * Observations from a tree of training runs: every directory below the root (the root included) that holds both
 * {@code run.json} and DataComp's {@code eval_results.jsonl}. Directories are read in sorted path order.
 * <ul>
 *   <li>{@code run.json}: the keys {@code pool_name} (string), {@code pool_size} and {@code samples_seen} (numbers,
 *       or strings such as "12.8M"); other keys are ignored.
 *   <li>{@code eval_results.jsonl}: one JSON object per line, {@code {"key": "imagenet1k", "dataset": ...,
 *       "metrics": {"main_metric": 0.23, ...}}}; a later line with the same key replaces an earlier one.
 * </ul>
 * The metric is {@code imagenet1k}, any other task key (error = 1 − main_metric), or {@code avg18}
 * (error = 1 − mean of the main_metric of the 18 {@link Tasks18#KEYS}, all required, as the reference code), or
 * {@code mean} (error = 1 − mean of the main_metric of every task the run was evaluated on: the suite's tasks),
 * {@code soft_mean} (error = mean of the {@code soft_error} of every task that has one: the zero-shot
 * classification tasks qqt eval scored; a smooth, bounded error, docs/evaluation.md) or {@code soft:<task>} (that
 * one task's {@code soft_error}).
 */
public final class RunsTree {
    /** The metric "mean": error = 1 − mean of the main_metric of every task in the run's eval results. */
    public static final String MEAN = "mean";
    /** The metric "soft_mean": error = mean of the soft_error of every task in the run's eval results that has one. */
    public static final String SOFT_MEAN = "soft_mean";
    /** The metric "soft:&lt;task&gt;": error = that task's soft_error. */
    public static final String SOFT_PREFIX = "soft:";

    private RunsTree() {}

    /** What the error of {@code metric} is, for axis titles and reports: "1 − accuracy" or "1 − mean p(true class)". */
    public static String errorMeaning(String metric) {
        return metric != null && (SOFT_MEAN.equals(metric) || metric.startsWith(SOFT_PREFIX))
                ? "1 − mean p(true class)" : "1 − accuracy";
    }

    /** What was read: the observations, and the run directories skipped for lack of eval_results.jsonl. */
    public record Scan(List<Observation> observations, List<Path> unevaluated) {}

    static List<Observation> load(Path root, String metric) {
        return scan(root, metric).observations();
    }

    /** Reads every run below {@code root}; any problem is a one-line BadInputException naming the file. */
    public static Scan scan(Path root, String metric) {
        if (!Files.isDirectory(root)) {
            throw BadInputException.inFile(root, "not a directory (give a runs directory or a CSV)");
        }
        List<Path> runs;
        try (Stream<Path> s = Files.walk(root)) {
            runs = s.filter(p -> p.getFileName() != null && p.getFileName().toString().equals("run.json"))
                    .filter(Files::isRegularFile)
                    .map(Path::getParent)
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw BadInputException.inFile(root, "cannot list the runs directory: " + e.getMessage());
        }
        List<Observation> out = new ArrayList<>();
        List<Path> unevaluated = new ArrayList<>();
        for (Path dir : runs) {
            Path results = dir.resolve(EvalResultsFile.FILE_NAME);
            if (!Files.isRegularFile(results)) {
                unevaluated.add(dir);
                continue;
            }
            out.add(read(dir, metric));
        }
        if (out.isEmpty()) {
            throw BadInputException.inFile(root, "no run directory holds both run.json and eval_results.jsonl"
                    + (unevaluated.isEmpty() ? "" : " (" + unevaluated.size() + " runs lack eval_results.jsonl: "
                    + "evaluate them with qqt eval)"));
        }
        return new Scan(out, unevaluated);
    }

    /** One run directory's observation. */
    public static Observation read(Path dir, String metric) {
        Path runFile = dir.resolve("run.json");
        JsonNode run = Json.readTree(runFile);
        String pool = text(run, "pool_name", runFile);
        double size = count(run, "pool_size", runFile);
        double seen = count(run, "samples_seen", runFile);
        Path results = dir.resolve(EvalResultsFile.FILE_NAME);
        requireFinished(run, runFile);
        boolean soft = SOFT_MEAN.equals(metric) || metric.startsWith(SOFT_PREFIX);
        List<JsonNode> lines = lines(results);
        Map<String, Double> mainMetric = metrics(lines, soft ? ClassificationMetrics.SOFT_ERROR : "main_metric");
        requireFromFinalCheckpoint(results, lines, run, runFile);
        double error;
        if (SOFT_MEAN.equals(metric)) {
            if (mainMetric.isEmpty()) {
                throw BadInputException.inFile(results, "--metric soft_mean needs at least one task with a soft_error "
                        + "(zero-shot classification evaluated by this qqt eval); evaluate the run again with qqt eval");
            }
            error = mainMetric.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        } else if (soft) {
            String task = metric.substring(SOFT_PREFIX.length());
            Double m = mainMetric.get(task);
            if (m == null) {
                throw BadInputException.inFile(dir, "eval_results.jsonl has no soft_error for task '" + task
                        + "' (present: " + mainMetric.keySet() + "); choose another --metric or evaluate it again");
            }
            error = m;
        } else if (MEAN.equals(metric)) {
            if (mainMetric.isEmpty()) {
                throw BadInputException.inFile(results, "--metric mean needs at least one task with a main_metric");
            }
            error = 1 - mainMetric.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        } else if (Tasks18.AVG18.equals(metric)) {
            List<String> missing = Tasks18.KEYS.stream().filter(k -> !mainMetric.containsKey(k)).toList();
            if (!missing.isEmpty()) {
                throw BadInputException.inFile(dir, "--metric avg18 needs all 18 tasks in eval_results.jsonl; missing "
                        + missing + " (evaluate them, or fit --metric imagenet1k)");
            }
            double sum = 0;
            for (String k : Tasks18.KEYS) {
                sum += mainMetric.get(k);
            }
            error = 1 - sum / Tasks18.KEYS.size();
        } else {
            Double m = mainMetric.get(metric);
            if (m == null) {
                throw BadInputException.inFile(dir, "eval_results.jsonl has no main_metric for task '" + metric
                        + "' (present: " + mainMetric.keySet() + "); choose another --metric or evaluate it");
            }
            error = 1 - m;
        }
        return Observations.check(new Observation(pool, size, seen, error), results, "");
    }

    /** A run.json of qqt train says its status: only a "done" run's results are final. */
    private static void requireFinished(JsonNode run, Path runFile) {
        JsonNode status = run.get("status");
        if (status != null && !"done".equals(status.asText())) {
            throw BadInputException.inFile(runFile, "the run is unfinished (status " + status.asText() + ", "
                    + run.path("steps_done").asLong() + " of " + run.path("steps").asLong() + " steps); finish it with "
                    + "qqt train and evaluate it with qqt eval, or move it out of the runs directory");
        }
    }

    /**
     * Each result line that records its checkpoint (qqt eval's "checkpoint") must come from the run's final
     * checkpoint: the step run.json ends at, and the run's own training config.
     */
    private static void requireFromFinalCheckpoint(Path results, List<JsonNode> lines, JsonNode run, Path runFile) {
        if (!run.has("steps_done") || !run.has("config")) {
            return; // not a qqt run.json: nothing to compare with
        }
        long finalStep = run.path("steps_done").asLong();
        String fingerprint = CheckpointId.runFingerprint(run.get("config"));
        for (int ln = 0; ln < lines.size(); ln++) {
            JsonNode c = lines.get(ln) == null ? null : lines.get(ln).get("checkpoint");
            if (c == null || !c.isObject()) {
                continue;
            }
            if (c.path("step").asLong(-1) != finalStep || !fingerprint.equals(c.path("run").asText())) {
                throw BadInputException.inFile(results, "line " + (ln + 1) + " is from checkpoint "
                        + c.path("file").asText("?") + " at step " + c.path("step").asText("?")
                        + (fingerprint.equals(c.path("run").asText()) ? "" : " of another run")
                        + ", but the run finished at step " + finalStep + "; evaluate the run again with qqt eval");
            }
        }
    }

    /**
     * The lines of eval_results.jsonl, each parsed once (null for a blank line, so indices stay line numbers); a line
     * that is not JSON or has no "key" is a one-line BadInputException naming the file and line.
     */
    private static List<JsonNode> lines(Path results) {
        List<String> text;
        try {
            text = Files.readAllLines(results);
        } catch (IOException e) {
            throw BadInputException.inFile(results, "cannot read: " + e.getMessage());
        }
        List<JsonNode> out = new ArrayList<>();
        for (int ln = 0; ln < text.size(); ln++) {
            String line = text.get(ln).trim();
            if (line.isEmpty()) {
                out.add(null);
                continue;
            }
            JsonNode node = parseLine(results, line, ln);
            JsonNode key = node.get("key");
            if (key == null || !key.isTextual()) {
                throw BadInputException.inFile(results, "line " + (ln + 1) + ": no \"key\" (DataComp format: "
                        + "{\"key\": ..., \"dataset\": ..., \"metrics\": {\"main_metric\": ...}})");
            }
            out.add(node);
        }
        return out;
    }

    private static JsonNode parseLine(Path results, String line, int ln) {
        try {
            return Json.mapper().readTree(line);
        } catch (JsonProcessingException e) {
            throw BadInputException.inFile(results, "line " + (ln + 1) + ": not JSON ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /** key → metrics.&lt;name&gt; for every line where it is a number (null or absent metrics are left out). */
    private static Map<String, Double> metrics(List<JsonNode> lines, String name) {
        Map<String, Double> out = new HashMap<>();
        for (JsonNode node : lines) {
            if (node == null) {
                continue;
            }
            String key = node.get("key").asText();
            JsonNode m = node.path("metrics").get(name);
            if (m != null && m.isNumber()) {
                out.put(key, m.asDouble());
            } else {
                out.remove(key);
            }
        }
        return out;
    }

    private static String text(JsonNode run, String key, Path file) {
        JsonNode n = run.get(key);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw BadInputException.inFile(file, "needs a string \"" + key + "\"");
        }
        return n.asText();
    }

    private static double count(JsonNode run, String key, Path file) {
        JsonNode n = run.get(key);
        if (n != null && n.isNumber()) {
            return n.asDouble();
        }
        if (n != null && n.isTextual()) {
            try {
                return SampleCount.parse(n.asText());
            } catch (BadInputException e) {
                throw BadInputException.inFile(file, "\"" + key + "\": " + e.getMessage());
            }
        }
        throw BadInputException.inFile(file, "needs a number \"" + key + "\" (e.g. 12800000 or \"12.8M\")");
    }
}
