package org.qqt.eval;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a task measures: zero-shot classification (CLIP_benchmark wds) or image–text retrieval. */
public enum TaskType {
    @JsonProperty("classification") CLASSIFICATION,
    @JsonProperty("retrieval") RETRIEVAL;

    /** The metric names this type produces (a task's main_metric must be one of them). */
    public java.util.List<String> metricNames() {
        return this == CLASSIFICATION ? ClassificationMetrics.NAMES : RetrievalMetrics.NAMES;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
