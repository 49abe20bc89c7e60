package org.qqt.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Image–text retrieval recall@k as CLIP_benchmark computes it (metrics/zeroshot_retrieval.py) and DataComp
 * reports it, over N images and T captions (each caption belongs to one image, each image has ≥ 1 caption):
 * <ul>
 *   <li>{@code image_retrieval_recall@k}: a caption is the query, images are ranked; the fraction of the T
 *       captions whose own image is among the top k images;
 *   <li>{@code text_retrieval_recall@k}: an image is the query, captions are ranked; the fraction of the N
 *       images with at least one of their own captions among the top k captions;
 *   <li>{@code mean_recall@1}: the mean of the two recall@1 values (DataComp's main metric for retrieval).
 * </ul>
 * Scores are cosine similarities. Ties are ranked by index, lowest first (as for classification).
 */
public final class RetrievalMetrics {
    /** The k of DataComp's recall_k_list. */
    public static final int[] KS = {1, 5, 10};

    /** Metric names in DataComp's order (main_metric is added by {@link EvalResult}). */
    public static final List<String> NAMES = List.of(
            "image_retrieval_recall@1", "text_retrieval_recall@1",
            "image_retrieval_recall@5", "text_retrieval_recall@5",
            "image_retrieval_recall@10", "text_retrieval_recall@10",
            "mean_recall@1");

    private final double[] imageRetrieval; // per KS
    private final double[] textRetrieval;

    private RetrievalMetrics(double[] imageRetrieval, double[] textRetrieval) {
        this.imageRetrieval = imageRetrieval;
        this.textRetrieval = textRetrieval;
    }

    /**
     * @param images     image embeddings [N][D] (normalised here)
     * @param texts      caption embeddings [T][D] (normalised here)
     * @param textImage  for each caption, the index of its image in [0, N)
     */
    public static RetrievalMetrics compute(float[][] images, float[][] texts, int[] textImage) {
        return compute(images, texts, textImage, Math.max(1, (1 << 20) / Math.max(1, texts.length)));
    }

    /** As {@link #compute(float[][], float[][], int[])}, scoring {@code tile} images at a time. */
    static RetrievalMetrics compute(float[][] images, float[][] texts, int[] textImage, int tileImages) {
        int n = images.length;
        int t = texts.length;
        if (n == 0 || t == 0) {
            throw new IllegalArgumentException("need at least one image and one caption");
        }
        if (textImage.length != t) {
            throw new IllegalArgumentException(textImage.length + " caption owners for " + t + " captions");
        }
        float[][] img = Vectors.normalizedRows(images);
        float[][] txt = Vectors.normalizedRows(texts);
        int[] captionsOf = new int[n];
        for (int j = 0; j < t; j++) {
            if (textImage[j] < 0 || textImage[j] >= n) {
                throw new IllegalArgumentException("caption " + j + " belongs to image " + textImage[j] + " of " + n);
            }
            captionsOf[textImage[j]]++;
        }
        for (int i = 0; i < n; i++) {
            if (captionsOf[i] == 0) {
                throw new IllegalArgumentException("image " + i + " has no caption");
            }
        }
        // score of each caption with its own image, computed exactly as in the pass below
        double[] own = new double[t];
        for (int j = 0; j < t; j++) {
            own[j] = Vectors.dot(txt[j], img[textImage[j]]);
        }
        int[] imagesBefore = new int[t]; // rank of the own image in caption j's ranking of images
        int[] kHitsText = new int[KS.length];
        // images in tiles, so that each caption embedding is read once per tile rather than once per image
        int tile = Math.max(1, Math.min(n, tileImages));
        double[][] s = new double[tile][t];
        for (int i0 = 0; i0 < n; i0 += tile) {
            int i1 = Math.min(n, i0 + tile);
            for (int j = 0; j < t; j++) {
                float[] tj = txt[j];
                int o = textImage[j];
                double ownScore = own[j];
                for (int i = i0; i < i1; i++) {
                    double v = Vectors.dot(tj, img[i]);
                    s[i - i0][j] = v;
                    if (v > ownScore || (v == ownScore && i < o)) {
                        imagesBefore[j]++;
                    }
                }
            }
            for (int i = i0; i < i1; i++) {
                double[] row = s[i - i0];
                // the best-ranked own caption: highest score, lowest index among equals
                int best = -1;
                for (int j = 0; j < t; j++) {
                    if (textImage[j] == i && (best < 0 || row[j] > row[best])) {
                        best = j;
                    }
                }
                double b = row[best];
                int rank = 0;
                for (int j = 0; j < t; j++) {
                    if (row[j] > b || (row[j] == b && j < best)) {
                        rank++;
                    }
                }
                for (int k = 0; k < KS.length; k++) {
                    if (rank < KS[k]) {
                        kHitsText[k]++;
                    }
                }
            }
        }
        double[] imageRetrieval = new double[KS.length];
        double[] textRetrieval = new double[KS.length];
        for (int k = 0; k < KS.length; k++) {
            int hits = 0;
            for (int j = 0; j < t; j++) {
                if (imagesBefore[j] < KS[k]) {
                    hits++;
                }
            }
            imageRetrieval[k] = (double) hits / t;
            textRetrieval[k] = (double) kHitsText[k] / n;
        }
        return new RetrievalMetrics(imageRetrieval, textRetrieval);
    }

    /** Text→image recall@k (k one of {@link #KS}). */
    public double imageRetrievalRecall(int k) {
        return imageRetrieval[indexOf(k)];
    }

    /** Image→text recall@k (k one of {@link #KS}). */
    public double textRetrievalRecall(int k) {
        return textRetrieval[indexOf(k)];
    }

    public double meanRecallAt1() {
        return 0.5 * (textRetrieval[0] + imageRetrieval[0]);
    }

    /** The metrics in DataComp's order (see {@link #NAMES}). */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < KS.length; k++) {
            m.put("image_retrieval_recall@" + KS[k], imageRetrieval[k]);
            m.put("text_retrieval_recall@" + KS[k], textRetrieval[k]);
        }
        m.put("mean_recall@1", meanRecallAt1());
        return m;
    }

    private static int indexOf(int k) {
        for (int i = 0; i < KS.length; i++) {
            if (KS[i] == k) {
                return i;
            }
        }
        throw new IllegalArgumentException("k " + k + " not computed; one of 1, 5, 10");
    }
}
