package org.qqt.data;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qqt.io.AtomicFiles;

/**
 * Writes an eval task in CLIP_benchmark's webdataset layout:
 * <pre>
 * dir/classnames.txt                          one class name per line, line i = label i   (classification)
 * dir/zeroshot_classification_templates.txt   one template per line with a {c} placeholder (classification)
 * dir/dataset_type.txt                        "retrieval"                                   (retrieval only)
 * dir/test/0.tar, 1.tar, ...                  s0000000.webp|png|jpg + s0000000.cls (label, decimal ASCII)
 *                                             or + s0000000.txt (captions, one per line) for retrieval
 * dir/test/nshards.txt                        number of shards (written last: marks the task complete)
 * </pre>
 */
public final class TaskWriter implements AutoCloseable {
    /** CLIP_benchmark's exporter limit. */
    public static final int DEFAULT_SHARD_SIZE = 10_000;

    private final TaskKind kind;
    private final Path split;
    private final ShardWriter shards;
    private final int classes;
    private boolean closed;

    private TaskWriter(Path dir, String split, TaskKind kind, int classes, int maxPerShard) {
        this.kind = kind;
        this.classes = classes;
        this.split = dir.resolve(split);
        this.shards = new ShardWriter(this.split, maxPerShard, ShardWriter.Naming.CLIP_BENCHMARK);
    }

    /** A zero-shot classification task; writes classnames.txt and the templates now. */
    public static TaskWriter classification(Path dir, List<String> classnames, List<String> templates, int maxPerShard) {
        if (classnames.isEmpty() || templates.isEmpty()) {
            throw new IllegalArgumentException("a classification task needs class names and templates");
        }
        for (String t : templates) {
            if (!t.contains("{c}") || t.contains("\n")) {
                throw new IllegalArgumentException("template '" + t + "' needs a {c} placeholder and no newline");
            }
        }
        for (String c : classnames) {
            if (c.isBlank() || c.contains("\n")) {
                throw new IllegalArgumentException("class names must be one non-blank line each: '" + c + "'");
            }
        }
        AtomicFiles.writeString(dir.resolve("classnames.txt"), String.join("\n", classnames) + "\n");
        AtomicFiles.writeString(dir.resolve("zeroshot_classification_templates.txt"), String.join("\n", templates) + "\n");
        return new TaskWriter(dir, "test", TaskKind.CLASSIFICATION, classnames.size(), maxPerShard);
    }

    /** An image-text retrieval task; writes dataset_type.txt now. */
    public static TaskWriter retrieval(Path dir, int maxPerShard) {
        AtomicFiles.writeString(dir.resolve("dataset_type.txt"), "retrieval\n");
        return new TaskWriter(dir, "test", TaskKind.RETRIEVAL, 0, maxPerShard);
    }

    /** Adds a sample (its key is ignored: keys are s0000000, s0000001, ...); returns the key written. */
    public String add(TaskSample s) {
        if (!List.of("webp", "png", "jpg", "jpeg").contains(s.imageExt())) {
            throw new IllegalArgumentException("image extension must be webp, png, jpg or jpeg, got " + s.imageExt());
        }
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put(s.imageExt(), s.image());
        if (kind == TaskKind.CLASSIFICATION) {
            if (s.label() < 0 || s.label() >= classes) {
                throw new IllegalArgumentException("label " + s.label() + " outside 0.." + (classes - 1));
            }
            m.put("cls", Integer.toString(s.label()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } else {
            if (s.captions().isEmpty()) {
                throw new IllegalArgumentException("a retrieval sample needs at least one caption");
            }
            for (String c : s.captions()) {
                if (c.isBlank() || c.contains("\n")) {
                    throw new IllegalArgumentException("captions must be one non-blank line each: '" + c + "'");
                }
            }
            m.put("txt", String.join("\n", s.captions()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return shards.write(m);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        shards.close();
        AtomicFiles.writeString(split.resolve("nshards.txt"), shards.shardsWritten() + "\n");
    }
}
