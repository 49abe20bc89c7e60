package org.qqt.eval;

import java.util.List;

/**
 * A run of consecutive images of a task with what belongs to them: the class label of each image
 * (classification; {@code labels.length == images.size()}) or its captions (retrieval; one list per image).
 * The unused one is empty.
 */
public record TaskBatch(ImageBatch images, int[] labels, List<List<String>> captions) {
    public TaskBatch {
        captions = List.copyOf(captions);
        if (labels.length != 0 && labels.length != images.size()) {
            throw new IllegalArgumentException(labels.length + " labels for " + images.size() + " images");
        }
        if (!captions.isEmpty() && captions.size() != images.size()) {
            throw new IllegalArgumentException(captions.size() + " caption lists for " + images.size() + " images");
        }
    }

    public static TaskBatch classification(ImageBatch images, int[] labels) {
        return new TaskBatch(images, labels, List.of());
    }

    public static TaskBatch retrieval(ImageBatch images, List<List<String>> captions) {
        return new TaskBatch(images, new int[0], captions);
    }

    public int size() {
        return images.size();
    }
}
