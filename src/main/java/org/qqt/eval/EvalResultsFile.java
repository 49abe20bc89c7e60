package org.qqt.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qqt.io.AtomicFiles;
import org.qqt.io.BadInputException;

/**
 * DataComp's eval_results.jsonl, used as a cache: a task whose key already has a line is not evaluated again.
 *
 * <p>Writing: after each task the whole (small) file is rewritten atomically (temp file + rename), so a kill
 * leaves either the previous file or the new one. Lines already present — including lines of tasks outside
 * the suite, or written by DataComp's own evaluate.py — are kept verbatim and in order; new lines are appended.
 *
 * <p>Reading: blank lines are skipped. A last line that is not valid JSON and has no final newline is the
 * torn tail of an interrupted append (DataComp appends without fsync); it is dropped, and that task runs
 * again. Any other malformed line is a one-line {@link BadInputException} naming file and line number.
 * When a key occurs on several lines the last one counts (as in DataComp's reader).
 */
public final class EvalResultsFile {
    /** The conventional name in a run's output directory. */
    public static final String FILE_NAME = "eval_results.jsonl";

    private final Path file;
    private final List<String> lines = new ArrayList<>();
    private final Map<String, EvalResult> byKey = new LinkedHashMap<>();
    private final boolean droppedTornLine;

    private EvalResultsFile(Path file, boolean droppedTornLine) {
        this.file = file;
        this.droppedTornLine = droppedTornLine;
    }

    /** Reads {@code file} if it exists; an absent file is an empty cache. */
    public static EvalResultsFile open(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new EvalResultsFile(file, false);
        } catch (IOException e) {
            throw BadInputException.inFile(file, "cannot read: " + e.getMessage());
        }
        List<String> raw = text.lines().toList();
        boolean endsWithNewline = text.isEmpty() || text.endsWith("\n");
        List<EvalResult> parsed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        boolean torn = false;
        for (int i = 0; i < raw.size(); i++) {
            String line = raw.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                parsed.add(EvalResult.parse(line));
                kept.add(line);
            } catch (IllegalArgumentException e) {
                boolean last = i == raw.size() - 1;
                if (last && !endsWithNewline && e.getMessage().startsWith("not JSON")) {
                    torn = true;
                    continue;
                }
                throw BadInputException.inFile(file, "line " + (i + 1) + ": " + e.getMessage()
                        + "; fix or delete that line (it will be evaluated again)");
            }
        }
        EvalResultsFile f = new EvalResultsFile(file, torn);
        for (int i = 0; i < parsed.size(); i++) {
            f.lines.add(kept.get(i));
            f.byKey.put(parsed.get(i).key(), parsed.get(i));
        }
        return f;
    }

    public Path path() {
        return file;
    }

    /** True when reading dropped a torn last line. */
    public boolean droppedTornLine() {
        return droppedTornLine;
    }

    public boolean contains(String key) {
        return byKey.containsKey(key);
    }

    /** The result for {@code key}, or null. */
    public EvalResult get(String key) {
        return byKey.get(key);
    }

    /** One result per key (the last line of each), in order of first appearance. */
    public List<EvalResult> results() {
        return Collections.unmodifiableList(new ArrayList<>(byKey.values()));
    }

    /** Appends {@code result} (replacing an existing line with the same key) and rewrites the file atomically. */
    public void put(EvalResult result) {
        String line = result.toJsonLine();
        if (byKey.containsKey(result.key())) {
            lines.removeIf(l -> EvalResult.parse(l).key().equals(result.key()));
            byKey.remove(result.key());
        }
        lines.add(line);
        byKey.put(result.key(), result);
        save();
    }

    private void save() {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append('\n');
        }
        try {
            AtomicFiles.writeString(file, b.toString());
        } catch (UncheckedIOException e) {
            throw new BadInputException(file + ": cannot write: " + e.getCause().getMessage(), e);
        }
    }
}
