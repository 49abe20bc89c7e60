package org.qqt.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Zero-shot classification metrics as DataComp reports them, accumulated one image at a time:
 * <ul>
 *   <li>{@code acc1}, {@code acc5}: fraction of images whose label is among the top 1 / top 5 logits;
 *       acc5 is null when the task has fewer than 5 classes (DataComp writes None);
 *   <li>{@code mean_per_class_recall}: sklearn's balanced_accuracy_score of the top-1 predictions — the mean,
 *       over the classes that occur in the labels, of the fraction of that class's images predicted as it.
 * </ul>
 * Ties: classes are ranked by logit, descending, and equal logits by class index, ascending — the lowest
 * index wins, as argmax does. The rank of the true label is the number of classes ranked before it.
 */
public final class ClassificationMetrics {
    /** Metric names in DataComp's order (main_metric is added by {@link EvalResult}). */
    public static final List<String> NAMES = List.of("acc1", "acc5", "mean_per_class_recall");

    /** The final numbers; {@code acc5} is null below 5 classes. */
    public record Result(long count, double acc1, Double acc5, double meanPerClassRecall) {
        /** acc1, acc5, mean_per_class_recall in DataComp's order. */
        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("acc1", acc1);
            m.put("acc5", acc5);
            m.put("mean_per_class_recall", meanPerClassRecall);
            return m;
        }
    }

    private final int numClasses;
    private final long[] perClassCount;
    private final long[] perClassCorrect;
    private long count;
    private long top1;
    private long top5;

    public ClassificationMetrics(int numClasses) {
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses " + numClasses);
        }
        this.numClasses = numClasses;
        this.perClassCount = new long[numClasses];
        this.perClassCorrect = new long[numClasses];
    }

    /** Metrics of a whole logits matrix [n][C] against labels. */
    public static Result of(double[][] logits, int[] labels) {
        if (logits.length != labels.length) {
            throw new IllegalArgumentException(logits.length + " logit rows for " + labels.length + " labels");
        }
        if (logits.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        ClassificationMetrics m = new ClassificationMetrics(logits[0].length);
        for (int i = 0; i < logits.length; i++) {
            m.add(logits[i], labels[i]);
        }
        return m.result();
    }

    /** Number of classes ranked before {@code label}: higher logit, or equal logit and lower index. */
    public static int rankOf(double[] logits, int label) {
        double v = logits[label];
        int rank = 0;
        for (int c = 0; c < logits.length; c++) {
            double x = logits[c];
            if (x > v || (x == v && c < label)) {
                rank++;
            }
        }
        return rank;
    }

    /** Adds one image; {@code label} must lie in [0, numClasses). */
    public void add(double[] logits, int label) {
        if (logits.length != numClasses) {
            throw new IllegalArgumentException(logits.length + " logits for " + numClasses + " classes");
        }
        if (label < 0 || label >= numClasses) {
            throw new IndexOutOfBoundsException("label " + label + " outside 0.." + (numClasses - 1));
        }
        int rank = rankOf(logits, label);
        count++;
        perClassCount[label]++;
        if (rank == 0) {
            top1++;
            perClassCorrect[label]++;
        }
        if (rank < 5) {
            top5++;
        }
    }

    public long count() {
        return count;
    }

    public Result result() {
        if (count == 0) {
            throw new IllegalStateException("no samples");
        }
        double sum = 0;
        int present = 0;
        for (int c = 0; c < numClasses; c++) {
            if (perClassCount[c] > 0) {
                sum += (double) perClassCorrect[c] / perClassCount[c];
                present++;
            }
        }
        Double acc5 = numClasses >= 5 ? (double) top5 / count : null;
        return new Result(count, (double) top1 / count, acc5, sum / present);
    }
}
