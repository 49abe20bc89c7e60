package org.qqt.eval;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A stand-in CLIP: an image's embedding is its pixel array (3·s·s numbers), a text's embedding a Gaussian
 * vector seeded by the text. Tests build images whose pixels are chosen embeddings.
 */
class FakeEncoder implements Encoder {
    final int imageSize;
    int imageCalls;
    int textCalls;
    int textsEncoded;

    FakeEncoder(int imageSize) {
        this.imageSize = imageSize;
    }

    int dim() {
        return ImageBatch.pixelsPerImage(imageSize);
    }

    @Override
    public int imageSize() {
        return imageSize;
    }

    @Override
    public float[][] encodeImages(ImageBatch images) {
        imageCalls++;
        int per = dim();
        float[][] out = new float[images.size()][per];
        for (int i = 0; i < images.size(); i++) {
            if (images.pixels() != null) {
                System.arraycopy(images.pixels(), i * per, out[i], 0, per);
            } else {
                for (int d = 0; d < per; d++) {
                    out[i][d] = images.uint8()[i * per + d] & 0xff;
                }
            }
        }
        return out;
    }

    @Override
    public float[][] encodeTexts(List<String> texts) {
        textCalls++;
        textsEncoded += texts.size();
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            out[i] = textEmbedding(texts.get(i), dim());
        }
        return out;
    }

    static float[] textEmbedding(String text, int dim) {
        SplittableRandom r = new SplittableRandom(text.hashCode() * 0x9E3779B97F4A7C15L);
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = (float) (r.nextGaussian() * (1 + text.length() % 3)); // unequal norms on purpose
        }
        return v;
    }
}
