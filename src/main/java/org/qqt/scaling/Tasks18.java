package org.qqt.scaling;

import java.util.List;

/**
 * The 18 evaluation tasks whose mean error is the paper's "average over 18 tasks" (App. B), as DataComp
 * {@code eval_results.jsonl} keys. The list is identical to {@code process_128_grid.py} of the reference code.
 */
public final class Tasks18 {
    private Tasks18() {}

    /** DataComp task keys, in the paper's order (ImageNet, its shifts, the VTAB subset, others, retrieval). */
    public static final List<String> KEYS = List.of(
            "imagenet1k",
            "imagenetv2",
            "imagenet-r",
            "imagenet-a",
            "imagenet_sketch",
            "imagenet-o",
            "objectnet",
            "vtab/caltech101",
            "cifar10",
            "vtab/cifar100",
            "vtab/flowers",
            "vtab/pets",
            "vtab/resisc45",
            "food101",
            "voc2007",
            "cars",
            "retrieval/flickr_1k_test_image_text_retrieval",
            "retrieval/mscoco_2014_5k_test_image_text_retrieval");

    /** The {@code --metric} name for the mean over {@link #KEYS}. */
    public static final String AVG18 = "avg18";
}
