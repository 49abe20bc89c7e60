package org.qqt.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A task held entirely in memory: all images in one {@link ImageBatch} (uint8 as the task readers give them, or
 * floats from tests), plus labels (classification) or captions (retrieval). Used by tests and by {@link CachingTaskDataFactory} so that many checkpoints are
 * evaluated without decoding the images again.
 */
public final class InMemoryTaskData implements TaskData {
    private final Path source;
    private final TaskType type;
    private final int imageSize;
    private final List<String> classNames;
    private final List<String> templates;
    private final ImageBatch images;
    private final int[] labels;
    private final List<List<String>> captions;

    private InMemoryTaskData(Path source, TaskType type, int imageSize, List<String> classNames, List<String> templates,
                             ImageBatch images, int[] labels, List<List<String>> captions) {
        this.source = source;
        this.type = type;
        this.imageSize = imageSize;
        this.classNames = List.copyOf(classNames);
        this.templates = List.copyOf(templates);
        this.images = images;
        this.labels = labels;
        List<List<String>> c = new ArrayList<>(captions.size());
        for (List<String> l : captions) {
            c.add(List.copyOf(l));
        }
        this.captions = List.copyOf(c);
        int n = size();
        if (images.imageSize() != imageSize || images.size() != n) {
            throw new IllegalArgumentException(images.size() + " images of " + images.imageSize() + " px, labels/captions for "
                    + n + " of " + imageSize + " px");
        }
    }

    /** A classification task; {@code pixels} holds labels.length images of imageSize². */
    public static InMemoryTaskData classification(Path source, int imageSize, List<String> classNames,
                                                  List<String> templates, float[] pixels, int[] labels) {
        return classification(source, classNames, templates, new ImageBatch(labels.length, imageSize, pixels), labels);
    }

    /** A classification task of {@code images} (labels.length of them). */
    public static InMemoryTaskData classification(Path source, List<String> classNames, List<String> templates,
                                                  ImageBatch images, int[] labels) {
        return new InMemoryTaskData(source, TaskType.CLASSIFICATION, images.imageSize(), classNames, templates, images,
                labels.clone(), List.of());
    }

    /** A retrieval task; {@code pixels} holds captions.size() images of imageSize². */
    public static InMemoryTaskData retrieval(Path source, int imageSize, float[] pixels, List<List<String>> captions) {
        return retrieval(source, new ImageBatch(captions.size(), imageSize, pixels), captions);
    }

    /** A retrieval task of {@code images} (captions.size() of them). */
    public static InMemoryTaskData retrieval(Path source, ImageBatch images, List<List<String>> captions) {
        return new InMemoryTaskData(source, TaskType.RETRIEVAL, images.imageSize(), List.of(), List.of(), images,
                new int[0], captions);
    }

    /** Reads all of {@code data} into memory (one full pass). */
    public static InMemoryTaskData copyOf(TaskData data, int batchSize) {
        if (data instanceof InMemoryTaskData m) {
            return m;
        }
        List<ImageBatch> chunks = new ArrayList<>();
        List<int[]> labelChunks = new ArrayList<>();
        List<List<String>> captions = new ArrayList<>();
        long[] count = {0};
        data.forEachBatch(batchSize, b -> {
            if (b.images().imageSize() != data.imageSize()) {
                throw new IllegalStateException(data.source() + ": batch of " + b.images().imageSize()
                        + "-pixel images, expected " + data.imageSize());
            }
            chunks.add(b.images());
            labelChunks.add(b.labels());
            captions.addAll(b.captions());
            count[0] += b.size();
        });
        ImageBatch images;
        try {
            images = chunks.isEmpty() ? new ImageBatch(0, data.imageSize(), new float[0]) : ImageBatch.concat(chunks);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(data.source() + ": " + e.getMessage(), e);
        }
        if (data.type() == TaskType.CLASSIFICATION) {
            int[] labels = new int[(int) count[0]];
            int li = 0;
            for (int[] l : labelChunks) {
                System.arraycopy(l, 0, labels, li, l.length);
                li += l.length;
            }
            return classification(data.source(), data.classNames(), data.templates(), images, labels);
        }
        return retrieval(data.source(), images, captions);
    }

    @Override
    public Path source() {
        return source;
    }

    @Override
    public TaskType type() {
        return type;
    }

    @Override
    public int size() {
        return type == TaskType.CLASSIFICATION ? labels.length : captions.size();
    }

    @Override
    public int imageSize() {
        return imageSize;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public List<String> templates() {
        return templates;
    }

    /** Bytes held by the images (the bulk of the memory). */
    public long imageBytes() {
        return images.bytes();
    }

    @Override
    public void forEachBatch(int batchSize, Consumer<TaskBatch> consumer) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size " + batchSize);
        }
        int n = size();
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            ImageBatch part = images.slice(from, to);
            consumer.accept(type == TaskType.CLASSIFICATION
                    ? TaskBatch.classification(part, Arrays.copyOfRange(labels, from, to))
                    : TaskBatch.retrieval(part, captions.subList(from, to)));
        }
    }
}
