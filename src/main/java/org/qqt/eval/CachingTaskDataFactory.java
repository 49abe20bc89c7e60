package org.qqt.eval;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps loaded tasks in memory so that evaluating many checkpoints of one model decodes each task's images
 * once. Tasks are cached (by directory and image size) while the cached images fit in {@code maxBytes};
 * a task that would not fit is served straight from the delegate each time. Load failures are not cached.
 * One instance serves one thread at a time.
 */
public final class CachingTaskDataFactory implements TaskDataFactory {
    private record Key(Path directory, int imageSize) {}

    private final TaskDataFactory delegate;
    private final long maxBytes;
    private final int readBatchSize;
    private final Map<Key, InMemoryTaskData> cache = new HashMap<>();
    private long usedBytes;

    public CachingTaskDataFactory(TaskDataFactory delegate, long maxBytes) {
        this(delegate, maxBytes, 256);
    }

    public CachingTaskDataFactory(TaskDataFactory delegate, long maxBytes, int readBatchSize) {
        this.delegate = delegate;
        this.maxBytes = maxBytes;
        this.readBatchSize = readBatchSize;
    }

    @Override
    public synchronized TaskData load(TaskSpec task, Path directory, int imageSize) {
        Key key = new Key(directory.toAbsolutePath().normalize(), imageSize);
        InMemoryTaskData hit = cache.get(key);
        if (hit != null) {
            return hit;
        }
        TaskData data = delegate.load(task, directory, imageSize);
        long expected = data.size() < 0 ? -1 : 4L * data.size() * ImageBatch.pixelsPerImage(imageSize);
        if (expected >= 0 && usedBytes + expected > maxBytes) {
            return data;
        }
        InMemoryTaskData copy = InMemoryTaskData.copyOf(data, readBatchSize);
        if (usedBytes + copy.imageBytes() <= maxBytes) {
            cache.put(key, copy);
            usedBytes += copy.imageBytes();
        }
        return copy;
    }

    /** Number of tasks held in memory. */
    public synchronized int cachedTasks() {
        return cache.size();
    }

    public synchronized long cachedBytes() {
        return usedBytes;
    }
}
