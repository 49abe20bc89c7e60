package org.qqt.scaling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qqt.io.BadInputException;
import org.qqt.io.SampleCount;

/**
 * Reads observations for fitting and validation from either
 * <ul>
 *   <li>a CSV with header {@code pool,pool_size,samples_seen,error} (sizes may be written 12.8M; an optional
 *       {@code group} column names pools that share tied parameters; other columns are ignored), or
 *   <li>a runs tree: every directory below it holding {@code run.json} and a DataComp {@code eval_results.jsonl}.
 * </ul>
 * Errors must lie in [0, 1]; anything else is a one-line {@link BadInputException} naming file and line.
 */
public final class Observations {
    private Observations() {}

    /** Loads a CSV file or a runs tree; {@code metric} (imagenet1k, avg18 or a task key) applies to runs trees. */
    public static List<Observation> load(Path source, String metric) {
        if (Files.isDirectory(source)) {
            return RunsTree.load(source, metric);
        }
        return readCsv(source);
    }

    public static List<Observation> readCsv(Path file) {
        List<String> lines = lines(file, "a CSV pool,pool_size,samples_seen,error or a runs directory",
                "header pool,pool_size,samples_seen,error");
        String[] header = lines.get(0).trim().split("\\s*,\\s*");
        int iPool = indexOf(header, "pool", file);
        int iSize = indexOf(header, "pool_size", file);
        int iSeen = indexOf(header, "samples_seen", file);
        int iErr = indexOf(header, "error", file);
        int iGroup = optionalIndex(header, "group");
        List<Observation> out = new ArrayList<>();
        for (int ln = 1; ln < lines.size(); ln++) {
            String[] f = fields(file, lines, ln, header.length);
            if (f == null) {
                continue;
            }
            String group = iGroup < 0 || f[iGroup].isBlank() ? null : f[iGroup];
            out.add(parse(file, "line " + (ln + 1) + ": ", f[iPool], f[iSize], f[iSeen], f[iErr], false, group));
        }
        if (out.isEmpty()) {
            throw BadInputException.inFile(file, "no observations (only a header)");
        }
        return out;
    }

    /** A CSV's lines; a missing, unreadable or empty file is one line naming it ({@code give}, {@code expected}). */
    static List<String> lines(Path file, String give, String expected) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw BadInputException.inFile(file, "no such file (give " + give + ")");
        } catch (IOException e) {
            throw BadInputException.inFile(file, e instanceof java.nio.charset.CharacterCodingException
                    ? "not UTF-8 text; save it as UTF-8" : "cannot read: " + e.getMessage());
        }
        if (lines.isEmpty()) {
            throw BadInputException.inFile(file, "empty file; expected " + expected);
        }
        return lines;
    }

    /** The fields of line {@code ln} (0-based), null for a blank or '#' line; too few fields is bad input. */
    static String[] fields(Path file, List<String> lines, int ln, int columns) {
        String line = lines.get(ln).trim();
        if (line.isEmpty() || line.startsWith("#")) {
            return null;
        }
        String[] f = line.split("\\s*,\\s*", -1);
        if (f.length < columns) {
            throw BadInputException.inFile(file, "line " + (ln + 1) + ": expected " + columns + " fields, got "
                    + f.length);
        }
        return f;
    }

    /**
     * One CSV row's observation, checked: sizes as {@link SampleCount}s, {@code value} the error, or the accuracy
     * when {@code accuracy} (error = 1 − accuracy); a field that is not a number is one line naming file and line.
     */
    static Observation parse(Path file, String where, String pool, String size, String seen, String value,
                             boolean accuracy, String group) {
        double n;
        double s;
        double err;
        try {
            n = SampleCount.parse(size);
            s = SampleCount.parse(seen);
            err = accuracy ? 1 - Double.parseDouble(value) : Double.parseDouble(value);
        } catch (BadInputException | NumberFormatException e) {
            throw BadInputException.inFile(file, where + "not a number: " + e.getMessage());
        }
        return check(new Observation(pool, n, s, err, group), file, where);
    }

    static Observation check(Observation o, Path file, String where) {
        if (!Double.isFinite(o.error()) || o.error() < 0 || o.error() > 1) {
            throw BadInputException.inFile(file, where + "error must be in [0, 1] (error = 1 - accuracy), got " + o.error());
        }
        if (!(o.poolSize() > 0)) {
            throw BadInputException.inFile(file, where + "pool_size must be > 0, got " + o.poolSize());
        }
        if (!(o.samplesSeen() > 0)) {
            throw BadInputException.inFile(file, where + "samples_seen must be > 0, got " + o.samplesSeen());
        }
        if (o.pool().isBlank()) {
            throw BadInputException.inFile(file, where + "empty pool name");
        }
        return o;
    }

    private static int optionalIndex(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(String[] header, String name, Path file) {
        int i = optionalIndex(header, name);
        if (i >= 0) {
            return i;
        }
        throw BadInputException.inFile(file, "missing column '" + name + "'; expected header pool,pool_size,samples_seen,error");
    }

    /**
     * Writes observations as the CSV {@link #readCsv} reads (header pool,pool_size,samples_seen,error, plus group
     * when any observation has one), atomically; numbers round-trip exactly.
     */
    public static void writeCsv(Path file, List<Observation> observations) {
        boolean groups = observations.stream().anyMatch(o -> o.group() != null);
        StringBuilder sb = new StringBuilder("pool,pool_size,samples_seen,error" + (groups ? ",group" : "") + "\n");
        for (Observation o : observations) {
            sb.append(o.pool()).append(',').append(number(o.poolSize())).append(',').append(number(o.samplesSeen()))
                    .append(',').append(o.error());
            if (groups) {
                sb.append(',').append(o.group() == null ? "" : o.group());
            }
            sb.append('\n');
        }
        org.qqt.io.AtomicFiles.writeString(file, sb.toString());
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e18 ? Long.toString((long) v) : Double.toString(v);
    }
}
