package org.qqt.eval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two numbers the scaling-law fit uses, from a set of eval results:
 * <ul>
 *   <li>{@code imagenetError} = 1 − main_metric of imagenet1k (null when absent);
 *   <li>{@code mean18Error} = 1 − plain mean of the main_metric of the paper's 18 tasks, as the locuslab code
 *       computes it; null unless all 18 are present with a number ({@code present18} says how many are).
 * </ul>
 */
public record EvalSummary(List<EvalResult> results, Double imagenetError, Double mean18Error, int present18,
                          List<String> missing18) {
    public EvalSummary {
        results = List.copyOf(results);
        missing18 = List.copyOf(missing18);
    }

    public static EvalSummary of(Collection<EvalResult> results) {
        Map<String, EvalResult> byKey = new LinkedHashMap<>();
        for (EvalResult r : results) {
            byKey.put(r.key(), r);
        }
        Double imagenet = mainOf(byKey.get(DatacompTasks.IMAGENET));
        List<String> missing = new ArrayList<>();
        double sum = 0;
        for (String k : DatacompTasks.PAPER_18) {
            Double m = mainOf(byKey.get(k));
            if (m == null) {
                missing.add(k);
            } else {
                sum += m;
            }
        }
        int present = DatacompTasks.PAPER_18.size() - missing.size();
        Double mean18 = missing.isEmpty() ? 1 - sum / DatacompTasks.PAPER_18.size() : null;
        return new EvalSummary(new ArrayList<>(byKey.values()), imagenet == null ? null : 1 - imagenet, mean18,
                present, missing);
    }

    public static EvalSummary of(EvalResultsFile file) {
        return of(file.results());
    }

    private static Double mainOf(EvalResult r) {
        if (r == null) {
            return null;
        }
        Double m = r.mainMetric();
        return m == null || !Double.isFinite(m) ? null : m;
    }

    /** A table of main metrics followed by the two errors, for terminals. */
    public String format() {
        StringBuilder b = new StringBuilder();
        int kw = "key".length();
        int dw = "dataset".length();
        for (EvalResult r : results) {
            kw = Math.max(kw, r.key().length());
            dw = Math.max(dw, r.dataset().length());
        }
        String row = "%-" + kw + "s  %-" + dw + "s  %s%n";
        b.append(String.format(Locale.ROOT, row, "key", "dataset", "main_metric"));
        for (EvalResult r : results) {
            Double m = r.mainMetric();
            b.append(String.format(Locale.ROOT, row, r.key(), r.dataset(),
                    m == null ? "null" : String.format(Locale.ROOT, "%.4f", m)));
        }
        b.append(String.format(Locale.ROOT, "ImageNet error (1 - imagenet1k main_metric): %s%n",
                imagenetError == null ? "n/a (imagenet1k not evaluated)" : String.format(Locale.ROOT, "%.4f", imagenetError)));
        if (mean18Error != null) {
            b.append(String.format(Locale.ROOT, "18-task mean error (1 - mean main_metric): %.4f%n", mean18Error));
        } else {
            b.append(String.format(Locale.ROOT, "18-task mean error: n/a (%d of 18 tasks present; missing: %s)%n",
                    present18, String.join(", ", missing18)));
        }
        return b.toString();
    }

    /** {"imagenet_error", "mean18_error", "tasks_present_18", "missing_18"} as one JSON line. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("imagenet_error", imagenetError);
        m.put("mean18_error", mean18Error);
        m.put("tasks_present_18", present18);
        m.put("missing_18", missing18);
        return org.qqt.io.Json.compact(m);
    }
}
