package org.qqt.synth;

/**
 * A generated caption. {@code mentions} counts the attribute words it contains (shape, colour, size, texture,
 * position, background, count) and {@code correct} how many of them are true of the image; junk captions
 * mention nothing.
 */
record Caption(String text, int mentions, int correct, boolean junk) {
    /** Fraction of attribute mentions that are true (0 for junk, 1 for a caption without mentions). */
    double correctFraction() {
        if (junk) {
            return 0;
        }
        return mentions == 0 ? 1 : correct / (double) mentions;
    }
}
