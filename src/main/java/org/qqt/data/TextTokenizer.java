package org.qqt.data;

/** Caption text to a fixed-length row of token ids (SOT ... EOT, zero padded, truncation keeps EOT). */
public interface TextTokenizer {
    int[] encode(String text, int contextLength);

    /** Rows of the token embedding the model needs (49408 for CLIP's vocabulary; less for a compact one). */
    int vocabSize();

    /** The id of the end-of-text token, whose features the text tower pools. */
    int eotId();
}
