package org.qqt.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthetic in-memory tasks whose images embed near their class's (or caption's) text embedding. */
final class Fixtures {
    private Fixtures() {}

    static List<String> classNames(int n) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            names.add("class" + c);
        }
        return names;
    }

    static final List<String> TEMPLATES = List.of("a photo of a {c}.", "a drawing of the {c}", "{c}");

    /**
     * n images of numClasses classes (label i % numClasses, shuffled); pixels = the zero-shot class vector
     * plus Gaussian noise of std {@code noise} per coordinate.
     */
    static InMemoryTaskData classification(Path source, FakeEncoder enc, int numClasses, int n, double noise,
                                           long seed) {
        List<String> names = classNames(numClasses);
        int dim = enc.dim();
        float[][] classVectors = new float[numClasses][];
        for (int c = 0; c < numClasses; c++) {
            classVectors[c] = classVector(names.get(c), TEMPLATES, dim);
        }
        Random r = new Random(seed);
        int[] labels = new int[n];
        float[] pixels = new float[n * dim];
        for (int i = 0; i < n; i++) {
            labels[i] = i % numClasses;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = labels[i];
            labels[i] = labels[j];
            labels[j] = t;
        }
        for (int i = 0; i < n; i++) {
            float[] v = classVectors[labels[i]];
            for (int d = 0; d < dim; d++) {
                pixels[i * dim + d] = (float) (v[d] + noise * r.nextGaussian());
            }
        }
        return InMemoryTaskData.classification(source, enc.imageSize, names, TEMPLATES, pixels, labels);
    }

    /** CLIP_benchmark's recipe written out independently: unit template embeddings, mean, unit again. */
    static float[] classVector(String name, List<String> templates, int dim) {
        double[] mean = new double[dim];
        for (String t : templates) {
            float[] e = FakeEncoder.textEmbedding(t.replace("{c}", name), dim);
            double norm = 0;
            for (float x : e) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int d = 0; d < dim; d++) {
                mean[d] += e[d] / norm / templates.size();
            }
        }
        double norm = 0;
        for (double x : mean) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        float[] out = new float[dim];
        for (int d = 0; d < dim; d++) {
            out[d] = (float) (mean[d] / norm);
        }
        return out;
    }

    /** n images with {@code perImage} captions each; pixels = mean caption embedding + noise. */
    static InMemoryTaskData retrieval(Path source, FakeEncoder enc, int n, int perImage, double noise, long seed) {
        Random r = new Random(seed);
        int dim = enc.dim();
        float[] pixels = new float[n * dim];
        List<List<String>> captions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> caps = new ArrayList<>();
            double[] mean = new double[dim];
            for (int c = 0; c < perImage; c++) {
                String text = "image " + i + " caption " + c + " seed " + seed;
                caps.add(text);
                float[] e = Vectors.normalized(FakeEncoder.textEmbedding(text, dim));
                for (int d = 0; d < dim; d++) {
                    mean[d] += e[d];
                }
            }
            for (int d = 0; d < dim; d++) {
                pixels[i * dim + d] = (float) (mean[d] / perImage + noise * r.nextGaussian());
            }
            captions.add(caps);
        }
        return InMemoryTaskData.retrieval(source, enc.imageSize, pixels, captions);
    }
}
