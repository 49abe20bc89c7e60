package org.qqt.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIP_benchmark's zero-shot classifier: for each class, every template with {@code {c}} replaced by the class
 * name is embedded, each embedding L2-normalised, the mean taken and normalised again. The logits of an image
 * are its normalised embedding dotted with each class vector (CLIP's logit scale of 100 is omitted: it does
 * not change any ranking).
 */
public final class ZeroShotClassifier {
    public static final String PLACEHOLDER = "{c}";

    private final float[][] classes; // [C][D], unit rows

    private ZeroShotClassifier(float[][] classes) {
        this.classes = classes;
    }

    /** Embeds classNames × templates with {@code encoder}, {@code textBatchSize} texts per call. */
    public static ZeroShotClassifier build(Encoder encoder, List<String> classNames, List<String> templates,
                                           int textBatchSize) {
        if (classNames.isEmpty() || templates.isEmpty()) {
            throw new IllegalArgumentException("need at least one class name and one template");
        }
        List<String> texts = new ArrayList<>(classNames.size() * templates.size());
        for (String c : classNames) {
            for (String t : templates) {
                texts.add(t.replace(PLACEHOLDER, c));
            }
        }
        float[][] emb = new float[texts.size()][];
        int dim = -1;
        for (int from = 0; from < texts.size(); from += textBatchSize) {
            int to = Math.min(texts.size(), from + textBatchSize);
            float[][] part = encoder.encodeTexts(texts.subList(from, to));
            Vectors.checkShape(part, to - from, dim, "class-name texts");
            dim = part.length > 0 ? part[0].length : dim;
            System.arraycopy(part, 0, emb, from, to - from);
        }
        int nt = templates.size();
        float[][] classes = new float[classNames.size()][];
        for (int c = 0; c < classNames.size(); c++) {
            double[] mean = new double[dim];
            for (int t = 0; t < nt; t++) {
                float[] u = Vectors.normalized(emb[c * nt + t]);
                for (int d = 0; d < dim; d++) {
                    mean[d] += u[d];
                }
            }
            for (int d = 0; d < dim; d++) {
                mean[d] /= nt;
            }
            classes[c] = Vectors.normalized(mean);
        }
        return new ZeroShotClassifier(classes);
    }

    /** A classifier from given class vectors (normalised here). */
    public static ZeroShotClassifier of(float[][] classVectors) {
        return new ZeroShotClassifier(Vectors.normalizedRows(classVectors));
    }

    public int numClasses() {
        return classes.length;
    }

    public int dim() {
        return classes[0].length;
    }

    /** Unit class vector c (a copy). */
    public float[] classVector(int c) {
        return classes[c].clone();
    }

    /** Cosine similarity of the image embedding to every class. */
    public double[] logits(float[] imageEmbedding) {
        if (imageEmbedding.length != dim()) {
            throw new IllegalStateException("image embedding of size " + imageEmbedding.length
                    + " but text embeddings of size " + dim());
        }
        float[] u = Vectors.normalized(imageEmbedding);
        double[] out = new double[classes.length];
        for (int c = 0; c < classes.length; c++) {
            out[c] = Vectors.dot(u, classes[c]);
        }
        return out;
    }
}
