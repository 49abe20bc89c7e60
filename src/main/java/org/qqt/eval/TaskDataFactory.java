package org.qqt.eval;

import java.nio.file.Path;

/** Loads a task's data from its directory, preprocessed for a model whose images are {@code imageSize} square. */
@FunctionalInterface
public interface TaskDataFactory {
    /**
     * @throws org.qqt.io.BadInputException naming the file when the task directory is missing or malformed
     *                                      (no classnames.txt, no shards, unreadable image, ...)
     */
    TaskData load(TaskSpec task, Path directory, int imageSize);
}
