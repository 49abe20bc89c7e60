package org.qqt.eval;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.qqt.data.ClipImageTransform;
import org.qqt.data.ImageCodec;
import org.qqt.data.ImageDecodeException;
import org.qqt.data.TaskKind;
import org.qqt.data.TaskReader;
import org.qqt.data.TaskSample;
import org.qqt.io.BadInputException;

/**
 * Task data from a directory in CLIP_benchmark's webdataset layout ({@link TaskReader}): images decoded and
 * prepared with the same {@link ClipImageTransform} as training (resize shorter side, centre crop, CLIP
 * mean/std). Opening checks the directory (classnames.txt, templates, nshards.txt and shards) at once;
 * every pass re-reads the shards. An image that cannot be decoded is a one-line error naming shard and sample.
 */
public final class WdsTaskDataFactory implements TaskDataFactory {
    private final ImageCodec codec = new ImageCodec();

    @Override
    public TaskData load(TaskSpec task, Path directory, int imageSize) {
        TaskKind kind;
        List<String> names;
        List<String> templates;
        try (TaskReader r = TaskReader.open(directory)) {
            kind = r.kind();
            names = r.classnames();
            templates = r.templates();
        }
        TaskType type = kind == TaskKind.CLASSIFICATION ? TaskType.CLASSIFICATION : TaskType.RETRIEVAL;
        return new Data(directory, type, imageSize, names, templates);
    }

    private final class Data implements TaskData {
        private final Path dir;
        private final TaskType type;
        private final int imageSize;
        private final List<String> names;
        private final List<String> templates;

        Data(Path dir, TaskType type, int imageSize, List<String> names, List<String> templates) {
            this.dir = dir;
            this.type = type;
            this.imageSize = imageSize;
            this.names = names;
            this.templates = templates;
        }

        @Override
        public Path source() {
            return dir;
        }

        @Override
        public TaskType type() {
            return type;
        }

        @Override
        public int size() {
            return -1;
        }

        @Override
        public int imageSize() {
            return imageSize;
        }

        @Override
        public List<String> classNames() {
            return names;
        }

        @Override
        public List<String> templates() {
            return templates;
        }

        @Override
        public void forEachBatch(int batchSize, Consumer<TaskBatch> consumer) {
            ClipImageTransform transform = new ClipImageTransform(imageSize);
            int per = ImageBatch.pixelsPerImage(imageSize);
            byte[] pixels = new byte[batchSize * per];
            int[] labels = new int[batchSize];
            List<List<String>> captions = new ArrayList<>();
            int n = 0;
            try (TaskReader r = TaskReader.open(dir)) {
                while (r.hasNext()) {
                    TaskSample s = r.next();
                    BufferedImage img;
                    try {
                        img = codec.decode(s.image());
                    } catch (ImageDecodeException e) {
                        throw BadInputException.inFile(dir, "sample " + s.key() + ": cannot decode its ." + s.imageExt()
                                + " image (" + e.getMessage() + "); re-export the task");
                    }
                    transform.apply(img, pixels, n * per);
                    labels[n] = s.label();
                    captions.add(s.captions());
                    n++;
                    if (n == batchSize) {
                        consumer.accept(batch(n, pixels, labels, captions));
                        captions = new ArrayList<>();
                        n = 0;
                    }
                }
            }
            if (n > 0) {
                consumer.accept(batch(n, pixels, labels, captions));
            }
        }

        private TaskBatch batch(int n, byte[] pixels, int[] labels, List<List<String>> captions) {
            ImageBatch images = ImageBatch.ofUint8(n, imageSize,
                    java.util.Arrays.copyOf(pixels, n * ImageBatch.pixelsPerImage(imageSize)));
            return type == TaskType.CLASSIFICATION
                    ? TaskBatch.classification(images, java.util.Arrays.copyOf(labels, n))
                    : TaskBatch.retrieval(images, captions);
        }
    }
}
