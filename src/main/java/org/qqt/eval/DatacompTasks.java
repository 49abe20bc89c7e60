package org.qqt.eval;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * DataComp's task list (tasklist.yml of mlfoundations/datacomp) restricted to the tasks qqt can score: the
 * zero-shot classification and image–text retrieval sets. Keys, display names ({@code dataset} in
 * eval_results.jsonl) and main metrics are DataComp's; {@link #PAPER_18} are the 18 tasks of Goyal et al.
 */
public final class DatacompTasks {
    /** One known task. */
    public record Known(String key, String dataset, TaskType type, String mainMetric) {}

    /** The ImageNet-role task: its error is the paper's "ImageNet" curve. */
    public static final String IMAGENET = "imagenet1k";

    /** The paper's 18 tasks (locuslab process_128_grid.py), in DataComp key spelling. */
    public static final List<String> PAPER_18 = List.of(
            "imagenet1k", "imagenetv2", "imagenet-r", "imagenet-a", "imagenet_sketch", "imagenet-o", "objectnet",
            "vtab/caltech101", "cifar10", "vtab/cifar100", "vtab/flowers", "vtab/pets", "vtab/resisc45", "food101",
            "voc2007", "cars", "retrieval/flickr_1k_test_image_text_retrieval",
            "retrieval/mscoco_2014_5k_test_image_text_retrieval");

    private static final List<Known> ALL = List.of(
            c("vtab/caltech101", "Caltech-101", "mean_per_class_recall"),
            c("cifar10", "CIFAR-10", "acc1"),
            c("vtab/cifar100", "CIFAR-100", "acc1"),
            c("vtab/clevr_count_all", "CLEVR Counts", "acc1"),
            c("vtab/clevr_closest_object_distance", "CLEVR Distance", "acc1"),
            c("country211", "Country211", "acc1"),
            c("vtab/dtd", "Describable Textures", "acc1"),
            c("vtab/eurosat", "EuroSAT", "acc1"),
            c("fgvc_aircraft", "FGVC Aircraft", "mean_per_class_recall"),
            c("food101", "Food-101", "acc1"),
            c("gtsrb", "GTSRB", "acc1"),
            c("imagenet1k", "ImageNet 1k", "acc1"),
            c("imagenet_sketch", "ImageNet Sketch", "acc1"),
            c("imagenetv2", "ImageNet v2", "acc1"),
            c("imagenet-a", "ImageNet-A", "acc1"),
            c("imagenet-o", "ImageNet-O", "acc1"),
            c("imagenet-r", "ImageNet-R", "acc1"),
            c("vtab/kitti_closest_vehicle_distance", "KITTI Vehicle Distance", "acc1"),
            c("mnist", "MNIST", "acc1"),
            c("objectnet", "ObjectNet", "acc1"),
            c("vtab/flowers", "Oxford Flowers-102", "mean_per_class_recall"),
            c("vtab/pets", "Oxford-IIIT Pet", "mean_per_class_recall"),
            c("voc2007", "Pascal VOC 2007", "acc1"),
            c("vtab/pcam", "PatchCamelyon", "acc1"),
            c("renderedsst2", "Rendered SST2", "acc1"),
            c("vtab/resisc45", "RESISC45", "acc1"),
            c("cars", "Stanford Cars", "acc1"),
            c("stl10", "STL-10", "acc1"),
            c("sun397", "SUN397", "acc1"),
            c("vtab/svhn", "SVHN", "acc1"),
            new Known("retrieval/flickr_1k_test_image_text_retrieval", "Flickr", TaskType.RETRIEVAL, "mean_recall@1"),
            new Known("retrieval/mscoco_2014_5k_test_image_text_retrieval", "MSCOCO", TaskType.RETRIEVAL,
                    "mean_recall@1"));

    private static final Map<String, Known> BY_KEY =
            ALL.stream().collect(Collectors.toUnmodifiableMap(Known::key, Function.identity()));

    private DatacompTasks() {}

    private static Known c(String key, String dataset, String mainMetric) {
        return new Known(key, dataset, TaskType.CLASSIFICATION, mainMetric);
    }

    /** The known task with this key, or null. */
    public static Known find(String key) {
        return BY_KEY.get(key);
    }

    public static List<Known> all() {
        return ALL;
    }

    /** CLIP_benchmark/DataComp directory name of a task under the evaluation data root (download_evalsets.py). */
    public static String wdsDirectory(String key) {
        String k = key.startsWith("retrieval/") ? key.substring("retrieval/".length()) : key;
        return "wds_" + k.replace('/', '-') + "_test";
    }
}
