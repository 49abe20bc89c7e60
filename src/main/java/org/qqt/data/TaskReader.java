package org.qqt.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.qqt.io.BadInputException;

/**
 * Reads an eval task in CLIP_benchmark's webdataset layout (see {@link TaskWriter}), as published on Hugging Face
 * ({@code djghosh/wds_*_test}, {@code clip-benchmark/wds_*}) or written by qqt. The kind comes from
 * {@code dataset_type.txt} when present, else classification. Images are taken from the first of
 * webp, png, jpg, jpeg (CLIP_benchmark's order). Samples are streamed; nothing is extracted to disk.
 * A sample without an image, or without its label/captions, is a format error (eval sets must be complete).
 */
public final class TaskReader implements Iterator<TaskSample>, AutoCloseable {
    private final Path dir;
    private final TaskKind kind;
    private final List<String> classnames;
    private final List<String> templates;
    private final List<Path> shards;
    private final ShardReader reader;

    private TaskReader(Path dir, TaskKind kind, List<String> classnames, List<String> templates, List<Path> shards) {
        this.dir = dir;
        this.kind = kind;
        this.classnames = classnames;
        this.templates = templates;
        this.shards = shards;
        this.reader = ShardReader.openStrict(shards); // a task's score counts every image
    }

    /** Opens the task in {@code dir} (split "test"). */
    public static TaskReader open(Path dir) {
        return open(dir, "test");
    }

    public static TaskReader open(Path dir, String split) {
        if (!Files.isDirectory(dir)) {
            throw BadInputException.inFile(dir, "no such task directory");
        }
        TaskKind kind = TaskKind.CLASSIFICATION;
        Path type = dir.resolve("dataset_type.txt");
        if (Files.exists(type)) {
            String t = readText(type).strip().toLowerCase(Locale.ROOT);
            switch (t) {
                case "retrieval" -> kind = TaskKind.RETRIEVAL;
                case "classification", "" -> kind = TaskKind.CLASSIFICATION;
                default -> throw BadInputException.inFile(type, "dataset type '" + t
                        + "' is not supported; qqt reads classification and retrieval tasks");
            }
        }
        List<String> names = List.of();
        List<String> templates = List.of();
        if (kind == TaskKind.CLASSIFICATION) {
            names = lines(dir.resolve("classnames.txt"), "one class name per line");
            templates = lines(dir.resolve("zeroshot_classification_templates.txt"), "one template per line, with {c}");
        }
        Path nshardsFile = dir.resolve(split).resolve("nshards.txt");
        if (!Files.exists(nshardsFile)) {
            throw BadInputException.inFile(nshardsFile, "missing; a CLIP_benchmark webdataset task has " + split
                    + "/nshards.txt and " + split + "/0.tar ...");
        }
        int n;
        try {
            n = Integer.parseInt(readText(nshardsFile).strip());
        } catch (NumberFormatException e) {
            throw BadInputException.inFile(nshardsFile, "expected one integer (the number of shards)");
        }
        List<Path> shards = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path p = dir.resolve(split).resolve(i + ".tar");
            if (!Files.exists(p)) {
                throw BadInputException.inFile(p, "missing: nshards.txt says " + n + " shards");
            }
            shards.add(p);
        }
        return new TaskReader(dir, kind, names, templates, shards);
    }

    private static String readText(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw BadInputException.inFile(p, "cannot read: " + e.getMessage());
        }
    }

    private static List<String> lines(Path p, String what) {
        if (!Files.exists(p)) {
            throw BadInputException.inFile(p, "missing; a classification task needs it (" + what + ")");
        }
        List<String> out = readText(p).lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (out.isEmpty()) {
            throw BadInputException.inFile(p, "empty; expected " + what);
        }
        return out;
    }

    public Path dir() {
        return dir;
    }

    public TaskKind kind() {
        return kind;
    }

    /** Class names, index = label (empty for retrieval). */
    public List<String> classnames() {
        return classnames;
    }

    /** Prompt templates with {c} (empty for retrieval). */
    public List<String> templates() {
        return templates;
    }

    public int shardCount() {
        return shards.size();
    }

    @Override
    public boolean hasNext() {
        return reader.hasNext();
    }

    @Override
    public TaskSample next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        WdsSample s = reader.next();
        String ext = s.firstExt(WdsSample.EVAL_IMAGE_EXTS);
        if (ext == null) {
            throw BadInputException.inFile(s.shard(), "sample " + s.key() + " has no webp/png/jpg image");
        }
        if (kind == TaskKind.CLASSIFICATION) {
            String cls = s.text("cls");
            if (cls == null) {
                throw BadInputException.inFile(s.shard(), "sample " + s.key() + " has no .cls label");
            }
            int label;
            try {
                label = Integer.parseInt(cls.strip());
            } catch (NumberFormatException e) {
                throw BadInputException.inFile(s.shard(), "sample " + s.key() + ": .cls '" + cls.strip()
                        + "' is not an integer label");
            }
            if (label < 0 || label >= classnames.size()) {
                throw BadInputException.inFile(s.shard(), "sample " + s.key() + ": label " + label + " outside 0.."
                        + (classnames.size() - 1) + " of classnames.txt");
            }
            return new TaskSample(s.key(), ext, s.member(ext), label, List.of());
        }
        String txt = s.text("txt");
        if (txt == null) {
            throw BadInputException.inFile(s.shard(), "sample " + s.key() + " has no .txt captions");
        }
        List<String> caps = txt.lines().map(String::strip).filter(x -> !x.isEmpty()).toList();
        return new TaskSample(s.key(), ext, s.member(ext), -1, caps);
    }

    /** Read/corruption counts of the shards so far (a truncated shard ends early; see {@link ShardReader}). */
    public ReadStats stats() {
        return reader.stats();
    }

    @Override
    public void close() {
        reader.close();
    }
}
