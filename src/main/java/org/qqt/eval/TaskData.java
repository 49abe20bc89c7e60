package org.qqt.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The test data of one task, independent of any model. Implemented by the CLIP_benchmark webdataset reader
 * ({@code org.qqt.data.TaskReader}) and by {@link InMemoryTaskData}.
 *
 * <p>Classification: {@link #classNames()} (index = label, from classnames.txt) and {@link #templates()}
 * (with a {@code {c}} placeholder, from zeroshot_classification_templates.txt); batches carry labels.
 * Retrieval: both lists are empty and batches carry each image's captions.
 */
public interface TaskData {
    /** Where the data lives (the task directory), named in error messages. */
    Path source();

    TaskType type();

    /** Number of images (may be -1 when unknown before a full pass). */
    int size();

    /** Side of the square images this data was prepared for. */
    int imageSize();

    List<String> classNames();

    List<String> templates();

    /**
     * Hands every image, in a fixed order, to {@code consumer} in batches of at most {@code batchSize}.
     * Malformed data is a one-line {@link org.qqt.io.BadInputException} naming the file.
     */
    void forEachBatch(int batchSize, Consumer<TaskBatch> consumer);
}
