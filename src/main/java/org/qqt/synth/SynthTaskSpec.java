package org.qqt.synth;

import java.util.List;

/**
 * One synthetic evaluation task.
 *
 * @param key        DataComp's task key (e.g. {@code vtab/pets})
 * @param dataset    DataComp's display name (the {@code dataset} field of {@code eval_results.jsonl})
 * @param retrieval  true for image–text retrieval (images with several captions), false for classification
 * @param mirrors    the role of the real task this one mirrors
 * @param probes     what it measures in the synthetic world
 * @param classnames class names (index = label); empty for retrieval
 * @param templates  zero-shot prompt templates with a {@code {c}} placeholder; empty for retrieval
 * @param size       number of test images
 * @param mainMetric acc1, mean_per_class_recall or mean_recall@1 (as DataComp)
 */
public record SynthTaskSpec(String key, String dataset, boolean retrieval, String mirrors, String probes,
                       List<String> classnames, List<String> templates, int size, String mainMetric) {
    public SynthTaskSpec {
        classnames = List.copyOf(classnames);
        templates = List.copyOf(templates);
    }

    /** The task's directory name: the key with {@code /} replaced by {@code -} (as DataComp's wds mirrors). */
    public String dirName() {
        return key.replace('/', '-');
    }
}
