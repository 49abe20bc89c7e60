package org.qqt.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;

/**
 * One evaluation task of a suite, as written in a suite YAML file.
 *
 * @param key        DataComp task key, e.g. {@code imagenet1k}, {@code vtab/caltech101} (the jsonl {@code key})
 * @param dataset    display name, DataComp tasklist {@code name}, e.g. {@code ImageNet 1k} (the jsonl {@code dataset})
 * @param type       classification or retrieval
 * @param mainMetric metric copied into {@code main_metric}: acc1, mean_per_class_recall, mean_recall@1, ...
 * @param path       the task's data directory relative to the evaluation root given at run time
 * @param custom     true for a task key that is not one of DataComp's (otherwise unknown keys are errors)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskSpec(
        String key,
        String dataset,
        TaskType type,
        @JsonProperty("main_metric") String mainMetric,
        String path,
        Boolean custom) {

    /** A fully specified, non-custom task. */
    public static TaskSpec of(String key, String dataset, TaskType type, String mainMetric, String path) {
        return new TaskSpec(key, dataset, type, mainMetric, path, null);
    }

    /** This task's data directory under {@code root}. */
    public Path directory(Path root) {
        return root.resolve(path);
    }

    /** "imagenet1k (ImageNet 1k)", for messages. */
    public String label() {
        return key + " (" + dataset + ")";
    }
}
