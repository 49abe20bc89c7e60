package org.qqt.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A task held entirely in memory: all images as one CHW float array, plus labels (classification) or
 * captions (retrieval). Used by tests and by {@link CachingTaskDataFactory} so that many checkpoints are
 * evaluated without decoding the images again.
 */
public final class InMemoryTaskData implements TaskData {
    private final Path source;
    private final TaskType type;
    private final int imageSize;
    private final List<String> classNames;
    private final List<String> templates;
    private final float[] pixels;
    private final int[] labels;
    private final List<List<String>> captions;

    private InMemoryTaskData(Path source, TaskType type, int imageSize, List<String> classNames, List<String> templates,
                             float[] pixels, int[] labels, List<List<String>> captions) {
        this.source = source;
        this.type = type;
        this.imageSize = imageSize;
        this.classNames = List.copyOf(classNames);
        this.templates = List.copyOf(templates);
        this.pixels = pixels;
        this.labels = labels;
        List<List<String>> c = new ArrayList<>(captions.size());
        for (List<String> l : captions) {
            c.add(List.copyOf(l));
        }
        this.captions = List.copyOf(c);
        int n = size();
        if (pixels.length != (long) n * ImageBatch.pixelsPerImage(imageSize)) {
            throw new IllegalArgumentException("pixels for " + ((double) pixels.length / ImageBatch.pixelsPerImage(imageSize))
                    + " images, labels/captions for " + n);
        }
    }

    /** A classification task; {@code pixels} holds labels.length images of imageSize². */
    public static InMemoryTaskData classification(Path source, int imageSize, List<String> classNames,
                                                  List<String> templates, float[] pixels, int[] labels) {
        return new InMemoryTaskData(source, TaskType.CLASSIFICATION, imageSize, classNames, templates, pixels,
                labels.clone(), List.of());
    }

    /** A retrieval task; {@code pixels} holds captions.size() images of imageSize². */
    public static InMemoryTaskData retrieval(Path source, int imageSize, float[] pixels, List<List<String>> captions) {
        return new InMemoryTaskData(source, TaskType.RETRIEVAL, imageSize, List.of(), List.of(), pixels, new int[0],
                captions);
    }

    /** Reads all of {@code data} into memory (one full pass). */
    public static InMemoryTaskData copyOf(TaskData data, int batchSize) {
        if (data instanceof InMemoryTaskData m) {
            return m;
        }
        int per = ImageBatch.pixelsPerImage(data.imageSize());
        List<float[]> chunks = new ArrayList<>();
        List<int[]> labelChunks = new ArrayList<>();
        List<List<String>> captions = new ArrayList<>();
        long[] count = {0};
        data.forEachBatch(batchSize, b -> {
            if (b.images().imageSize() != data.imageSize()) {
                throw new IllegalStateException(data.source() + ": batch of " + b.images().imageSize()
                        + "-pixel images, expected " + data.imageSize());
            }
            chunks.add(b.images().pixels());
            labelChunks.add(b.labels());
            captions.addAll(b.captions());
            count[0] += b.size();
        });
        if (count[0] * per > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(data.source() + ": too many images to hold in one array");
        }
        float[] pixels = new float[(int) (count[0] * per)];
        int at = 0;
        for (float[] c : chunks) {
            System.arraycopy(c, 0, pixels, at, c.length);
            at += c.length;
        }
        if (data.type() == TaskType.CLASSIFICATION) {
            int[] labels = new int[(int) count[0]];
            int li = 0;
            for (int[] l : labelChunks) {
                System.arraycopy(l, 0, labels, li, l.length);
                li += l.length;
            }
            return classification(data.source(), data.imageSize(), data.classNames(), data.templates(), pixels, labels);
        }
        return retrieval(data.source(), data.imageSize(), pixels, captions);
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
        return 4L * pixels.length;
    }

    @Override
    public void forEachBatch(int batchSize, Consumer<TaskBatch> consumer) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size " + batchSize);
        }
        int per = ImageBatch.pixelsPerImage(imageSize);
        int n = size();
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            ImageBatch images = new ImageBatch(to - from, imageSize, Arrays.copyOfRange(pixels, from * per, to * per));
            consumer.accept(type == TaskType.CLASSIFICATION
                    ? TaskBatch.classification(images, Arrays.copyOfRange(labels, from, to))
                    : TaskBatch.retrieval(images, captions.subList(from, to)));
        }
    }
}
