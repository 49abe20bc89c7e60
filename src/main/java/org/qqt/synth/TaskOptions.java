package org.qqt.synth;

import java.util.Map;

/**
 * Sizes of the evaluation tasks. A task has {@code sizes[key]} images when the key is listed, else
 * {@code size} times its relative size (imagenet1k 2, imagenet-o 0.4, the Flickr retrieval task 0.2, all
 * others 1; so the default size 5000 gives 10000 / 2000 / 1000 / 5000 as in the real suite's proportions).
 * Retrieval images carry {@code captionsPerImage} correct captions each.
 */
public record TaskOptions(Integer size, Map<String, Integer> sizes, Integer captionsPerImage) {
    private static final Map<String, Double> RELATIVE = Map.of(
            "imagenet1k", 2.0, "imagenet-o", 0.4, "retrieval/flickr_1k_test_image_text_retrieval", 0.2);

    public TaskOptions {
        size = size == null ? 5000 : size;
        sizes = sizes == null ? Map.of() : Map.copyOf(sizes);
        captionsPerImage = captionsPerImage == null ? 5 : captionsPerImage;
    }

    public int sizeOf(String key) {
        Integer n = sizes.get(key);
        return n != null ? n : (int) Math.max(1, Math.round(size * RELATIVE.getOrDefault(key, 1.0)));
    }

    public static TaskOptions defaults() {
        return new TaskOptions(null, null, null);
    }
}
