package org.qqt.synth;

import java.awt.image.BufferedImage;
import java.util.List;

/** One test image with its class label (classification; −1 for retrieval) or its correct captions (retrieval). */
public record SynthTaskSample(BufferedImage image, int label, List<String> captions) {
    public SynthTaskSample {
        captions = List.copyOf(captions);
    }
}
