package org.qqt.scaling;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.qqt.io.BadInputException;
import org.qqt.io.SampleCount;

/**
 * Reads published runs ({@code datasets/published/*.csv}): one row per trained model with at least the columns
 * {@code pool,pool_size,samples_seen} and {@code accuracy} (error = 1 − accuracy) or {@code error}; optional
 * {@code model} (several architectures in one file, picked with {@code --model}) and {@code samples_seen_pretty}
 * (the budget's label, e.g. 34B, matched by {@code --holdout}). Other columns (provenance: lr, batch, run name)
 * are ignored. Every problem is one line naming the file.
 */
public final class PublishedRuns {
    private PublishedRuns() {}

    /** One run: its observation and its budget label (samples_seen_pretty, or the formatted count). */
    public record Run(Observation observation, String budget) {}

    /** The runs of {@code model} (null: every row, allowed only when the file has no model column or one model). */
    public static List<Run> load(Path file, String model) {
        List<String> lines = Observations.lines(file, "a CSV of published runs",
                "a header with pool,pool_size,samples_seen,accuracy");
        List<String> header = List.of(lines.get(0).trim().split("\\s*,\\s*", -1));
        int iModel = header.indexOf("model");
        int iPool = required(header, "pool", file);
        int iSize = required(header, "pool_size", file);
        int iSeen = required(header, "samples_seen", file);
        int iLabel = header.indexOf("samples_seen_pretty");
        int iAcc = header.indexOf("accuracy");
        int iErr = header.indexOf("error");
        if (iAcc < 0 && iErr < 0) {
            throw BadInputException.inFile(file, "needs an accuracy or an error column; the header is " + header);
        }
        Set<String> models = new LinkedHashSet<>();
        List<Run> out = new ArrayList<>();
        for (int ln = 1; ln < lines.size(); ln++) {
            String[] f = Observations.fields(file, lines, ln, header.size());
            if (f == null) {
                continue;
            }
            String where = "line " + (ln + 1) + ": ";
            if (iModel >= 0) {
                models.add(f[iModel]);
                if (model != null && !f[iModel].equals(model)) {
                    continue;
                }
            }
            Observation o = Observations.parse(file, where, f[iPool], f[iSize], f[iSeen],
                    iAcc >= 0 ? f[iAcc] : f[iErr], iAcc >= 0, null);
            out.add(new Run(o, iLabel >= 0 && !f[iLabel].isBlank() ? f[iLabel] : SampleCount.format(o.samplesSeen())));
        }
        if (model != null && iModel < 0) {
            throw BadInputException.inFile(file, "--model " + model + " given but the file has no model column");
        }
        if (model == null && models.size() > 1) {
            throw BadInputException.inFile(file, "holds several models " + models + "; pick one with --model");
        }
        if (out.isEmpty()) {
            throw BadInputException.inFile(file, model == null ? "no runs" : "no runs of model '" + model
                    + "'; the file has " + models);
        }
        return out;
    }

    /**
     * Whether a run is at the held-out budget {@code holdout}: its label equals it (case-insensitive, "34B"), or
     * its samples seen are within 10% of the count it names (34B = 3.4e10).
     */
    public static boolean atBudget(Run run, String holdout) {
        if (run.budget().equalsIgnoreCase(holdout.trim())) {
            return true;
        }
        double target;
        try {
            target = SampleCount.parse(holdout.trim());
        } catch (BadInputException e) {
            return false;
        }
        return Math.abs(run.observation().samplesSeen() - target) <= 0.1 * target;
    }

    /** The budget labels of {@code runs}, in order of first appearance (for messages). */
    public static List<String> budgets(List<Run> runs) {
        return runs.stream().map(Run::budget).distinct().toList();
    }

    private static int required(List<String> header, String name, Path file) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw BadInputException.inFile(file, String.format(Locale.ROOT, "missing column '%s'; published runs need "
                    + "pool,pool_size,samples_seen and accuracy (or error)", name));
        }
        return i;
    }
}
