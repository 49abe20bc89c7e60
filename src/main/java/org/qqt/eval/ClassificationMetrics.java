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
 * qqt adds two smooth metrics that DataComp does not write (after mean_per_class_recall, before main_metric), from
 * the softmax of the cosine logits at CLIP's fixed logit scale {@link #SOFT_SCALE} = 100, p = softmax(100·cos):
 * <ul>
 *   <li>{@code soft_error}: 1 − the mean over images of p(true class); bounded in [0, 1 − 1/C·…], smooth in the
 *       weights, and equal to 1 − 1/C for an untrained model whose logits are all equal;
 *   <li>{@code cross_entropy}: the mean over images of −ln p(true class) (the zero-shot cross-entropy, in nats).
 * </ul>
 * Ties: classes are ranked by logit, descending, and equal logits by class index, ascending — the lowest
 * index wins, as argmax does. The rank of the true label is the number of classes ranked before it.
 */
public final class ClassificationMetrics {
    /** Metric names in DataComp's order (main_metric is added by {@link EvalResult}). */
    public static final List<String> NAMES = List.of("acc1", "acc5", "mean_per_class_recall");
    /** The smooth metrics qqt adds to each zero-shot classification result (not DataComp's; never main_metric). */
    public static final String SOFT_ERROR = "soft_error";
    public static final String CROSS_ENTROPY = "cross_entropy";
    /** The fixed logit scale of soft_error and cross_entropy: CLIP's clamp, the same for every run. */
    public static final double SOFT_SCALE = 100;

    /** The final numbers; {@code acc5} is null below 5 classes; softError and crossEntropy null where not computed. */
    public record Result(long count, double acc1, Double acc5, double meanPerClassRecall, Double softError,
                         Double crossEntropy) {
        /** DataComp's numbers only. */
        public Result(long count, double acc1, Double acc5, double meanPerClassRecall) {
            this(count, acc1, acc5, meanPerClassRecall, null, null);
        }

        /** acc1, acc5, mean_per_class_recall in DataComp's order, then soft_error and cross_entropy when present. */
        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("acc1", acc1);
            m.put("acc5", acc5);
            m.put("mean_per_class_recall", meanPerClassRecall);
            if (softError != null) {
                m.put(SOFT_ERROR, softError);
                m.put(CROSS_ENTROPY, crossEntropy);
            }
            return m;
        }
    }

    private final int numClasses;
    private final long[] perClassCount;
    private final long[] perClassCorrect;
    private long count;
    private long top1;
    private long top5;
    private double sumTrueProb;
    private double sumNegLogProb;

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
        double logProb = logSoftmaxAt(logits, label, SOFT_SCALE);
        sumTrueProb += Math.exp(logProb);
        sumNegLogProb -= logProb;
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

    /** ln softmax(scale·logits)[label], computed stably (the max is subtracted before exponentiating). */
    public static double logSoftmaxAt(double[] logits, int label, double scale) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : logits) {
            max = Math.max(max, scale * x);
        }
        double sum = 0;
        for (double x : logits) {
            sum += Math.exp(scale * x - max);
        }
        return scale * logits[label] - max - Math.log(sum);
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
        return new Result(count, (double) top1 / count, acc5, sum / present, 1 - sumTrueProb / count,
                sumNegLogProb / count);
    }
}
