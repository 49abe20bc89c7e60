package org.qqt.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qqt.io.Json;

/**
 * One line of DataComp's eval_results.jsonl:
 * <pre>{"key": "imagenet1k", "dataset": "ImageNet 1k", "metrics": {"acc1": 0.61, "acc5": 0.87,
 * "mean_per_class_recall": 0.61, "main_metric": 0.61}}</pre>
 * Metric values may be null (acc5 below 5 classes). The line is written as Python's json.dumps would. qqt adds
 * {@code "checkpoint"} ({@link CheckpointId}): which checkpoint the metrics came from.
 */
public record EvalResult(String key, String dataset, Map<String, Double> metrics, CheckpointId checkpoint) {
    public EvalResult {
        if (key == null || dataset == null || metrics == null) {
            throw new IllegalArgumentException("key, dataset and metrics are required");
        }
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** A result without a recorded checkpoint (DataComp's own lines, library use). */
    public EvalResult(String key, String dataset, Map<String, Double> metrics) {
        this(key, dataset, metrics, null);
    }

    /** This result, recorded as coming from {@code id}. */
    public EvalResult withCheckpoint(CheckpointId id) {
        return new EvalResult(key, dataset, metrics, id);
    }

    /** A result for {@code task}: its metrics followed by main_metric = metrics[task.mainMetric]. */
    public static EvalResult of(TaskSpec task, Map<String, Double> metrics) {
        if (!metrics.containsKey(task.mainMetric())) {
            throw new IllegalArgumentException(task.key() + ": main metric " + task.mainMetric() + " not computed");
        }
        Map<String, Double> m = new LinkedHashMap<>(metrics);
        m.remove("main_metric");
        m.put("main_metric", metrics.get(task.mainMetric()));
        return new EvalResult(task.key(), task.dataset(), m);
    }

    /** metrics.main_metric (null when absent or null). */
    public Double mainMetric() {
        return metrics.get("main_metric");
    }

    /** The jsonl line, without the newline. */
    public String toJsonLine() {
        StringBuilder b = new StringBuilder();
        b.append("{\"key\": ").append(PyJson.string(key))
                .append(", \"dataset\": ").append(PyJson.string(dataset))
                .append(", \"metrics\": {");
        boolean first = true;
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            if (!first) {
                b.append(", ");
            }
            first = false;
            b.append(PyJson.string(e.getKey())).append(": ").append(PyJson.number(e.getValue()));
        }
        b.append("}");
        if (checkpoint != null) {
            b.append(", \"checkpoint\": ").append(checkpoint.toJson());
        }
        return b.append("}").toString();
    }

    /**
     * Parses one line. Metrics that are not numbers (DataComp writes lists or dicts for some fairness tasks)
     * are skipped; {@code key}, {@code dataset} and the {@code metrics} object are required.
     *
     * @throws IllegalArgumentException with a short reason when the line is not such a record
     */
    public static EvalResult parse(String line) {
        JsonNode n;
        try {
            n = Json.mapper().reader().with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode key = n.get("key");
        JsonNode dataset = n.get("dataset");
        JsonNode metrics = n.get("metrics");
        if (key == null || !key.isTextual()) {
            throw new IllegalArgumentException("no \"key\" string");
        }
        if (dataset == null || !dataset.isTextual()) {
            throw new IllegalArgumentException("no \"dataset\" string");
        }
        if (metrics == null || !metrics.isObject()) {
            throw new IllegalArgumentException("no \"metrics\" object");
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : metrics.properties()) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                m.put(e.getKey(), null);
            } else if (v.isNumber()) {
                m.put(e.getKey(), v.asDouble());
            }
        }
        return new EvalResult(key.asText(), dataset.asText(), m, CheckpointId.parse(n.get("checkpoint")));
    }
}
