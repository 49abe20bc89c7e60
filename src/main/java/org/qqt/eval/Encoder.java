package org.qqt.eval;

import java.util.List;

/**
 * A CLIP model as the evaluation sees it: embeddings of images and texts in a shared space. Implemented by
 * the model package; the evaluation normalises the embeddings itself (they need not be unit length).
 */
public interface Encoder {
    /** Side of the square input images the image tower expects. */
    int imageSize();

    /** One embedding per image: [images.size()][dim]. */
    float[][] encodeImages(ImageBatch images);

    /** One embedding per text: [texts.size()][dim] (the encoder tokenises). */
    float[][] encodeTexts(List<String> texts);
}
