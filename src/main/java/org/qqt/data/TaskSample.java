package org.qqt.data;

import java.util.List;

/**
 * One sample of a CLIP_benchmark webdataset task: the encoded image and its extension (webp, png, jpg), and
 * either a class label (classification; {@code .cls}) or the captions (retrieval; {@code .txt}, one per line).
 * {@code label} is -1 for retrieval samples; {@code captions} is empty for classification samples.
 */
public record TaskSample(String key, String imageExt, byte[] image, int label, List<String> captions) {
    public TaskSample {
        captions = List.copyOf(captions);
    }

    public static TaskSample classification(String imageExt, byte[] image, int label) {
        return new TaskSample("", imageExt, image, label, List.of());
    }

    public static TaskSample retrieval(String imageExt, byte[] image, List<String> captions) {
        return new TaskSample("", imageExt, image, -1, captions);
    }
}
