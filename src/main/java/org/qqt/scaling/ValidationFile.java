package org.qqt.scaling;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qqt.io.AtomicFiles;
import org.qqt.io.Json;

/**
 * {@code validation.json} and {@code validation.csv}: predicted vs actual per point, MAE, max error, and the best
 * mixture per budget. This record is the only writer and reader of both ({@code qqt validate --format json|csv},
 * {@code qqt figure6} and {@code qqt figure5} write it; figure5's figure and report read it); the schema is in
 * docs/data-formats.md. Fields a producer does not know (the metric of a CSV, the seeds of a single measurement)
 * are left out; sample counts that are whole numbers are written as integers.
 *
 * @param metric the fitted metric (figure5), or null
 * @param points one per actual point, in input order
 * @param mae mean absolute error over the points
 * @param maxError largest absolute error
 * @param budgets per budget, the best mixture by measurement and by prediction
 * @param compared budgets with at least two mixtures
 * @param agreed of those, how many pick the same best mixture
 * @param warnings one line each (a pool_size that is not the mixture's N̂); left out when there are none, and by
 *     qqt validate, whose JSON keeps its keys (it prints warnings on stderr)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ValidationFile(String metric, List<Point> points, double mae, @JsonProperty("max_error") double maxError,
                             List<Budget> budgets, int compared, int agreed,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> warnings) {

    public ValidationFile {
        points = List.copyOf(points);
        budgets = List.copyOf(budgets);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /**
     * One actual point with its prediction.
     *
     * @param mixture the config's name of the mixture (figure5), or null
     * @param pool the mixture as its pools ({@code top0-10+top10-20}) or as the actual file names it
     * @param seeds how many runs {@code actual} is the mean of (figure5), or null
     * @param actual measured error (figure5: the mean over seeds)
     * @param actualSe standard error of that mean, or null (one seed, or not known)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Point(String mixture, String pool,
                        @JsonProperty("pool_size") @JsonSerialize(using = Count.class) double poolSize,
                        @JsonProperty("samples_seen") @JsonSerialize(using = Count.class) double samplesSeen,
                        Integer seeds, double actual, @JsonProperty("actual_se") Double actualSe, double predicted,
                        @JsonProperty("abs_error") double absError) {}

    /** At one budget: the mixtures measured there, the best by measurement and by prediction, and if they agree. */
    public record Budget(@JsonProperty("samples_seen") @JsonSerialize(using = Count.class) double samplesSeen,
                         List<String> mixtures, @JsonProperty("actual_best") String actualBest,
                         @JsonProperty("predicted_best") String predictedBest, boolean agree) {}

    /** How many runs an actual point averages and their standard error (null with one run). */
    public record Seeds(int n, Double se) {}

    /**
     * The file of a validation whose points are single measurements, named as the actual file names them
     * ({@code qqt validate}, {@code qqt figure6}): without warnings, which those commands print on stderr.
     */
    public static ValidationFile of(Validation.Result r) {
        ValidationFile f = of(r, null, Map.of(), null);
        return new ValidationFile(null, f.points, f.mae, f.maxError, f.budgets, f.compared, f.agreed, null);
    }

    /**
     * The file of a validation: {@code names} maps a point's pool to the name shown as its mixture and in the
     * budgets (pools not in it keep their name, and points get no mixture); {@code seeds} is per point, or null.
     */
    public static ValidationFile of(Validation.Result r, String metric, Map<String, String> names, List<Seeds> seeds) {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < r.points().size(); i++) {
            Validation.Point pt = r.points().get(i);
            Seeds s = seeds == null ? null : seeds.get(i);
            points.add(new Point(names.get(pt.pool()), pt.pool(), pt.poolSize(), pt.samplesSeen(),
                    s == null ? null : s.n(), pt.actual(), s == null ? null : s.se(), pt.predicted(), pt.absError()));
        }
        List<Budget> budgets = new ArrayList<>();
        for (Validation.BudgetCheck b : r.budgets()) {
            budgets.add(new Budget(b.samplesSeen(), b.mixtures().stream().map(m -> names.getOrDefault(m, m)).toList(),
                    names.getOrDefault(b.actualBest(), b.actualBest()),
                    names.getOrDefault(b.predictedBest(), b.predictedBest()), b.agree()));
        }
        return new ValidationFile(metric, points, r.mae(), r.maxError(), budgets, r.compared(), r.agreed(),
                r.warnings());
    }

    /** Writes validation.json (pretty JSON, atomically). */
    public void write(Path file) {
        Json.write(file, this);
    }

    /** Reads a validation.json; a malformed one is a one-line BadInputException naming the file. */
    public static ValidationFile read(Path file) {
        return Json.read(file, ValidationFile.class);
    }

    /** The JSON on one line (what {@code qqt validate --format json} prints). */
    public String compact() {
        return Json.compact(this);
    }

    /**
     * The points as CSV: {@code [mixture,]pool,pool_size,samples_seen,[seeds,]actual,[actual_se,]predicted,abs_error};
     * the bracketed columns only when the points have them (an unknown standard error is an empty cell).
     */
    public void printCsv(PrintWriter out) {
        boolean named = points.stream().anyMatch(p -> p.mixture() != null);
        boolean seeded = points.stream().anyMatch(p -> p.seeds() != null);
        out.println((named ? "mixture," : "") + "pool,pool_size,samples_seen," + (seeded ? "seeds," : "") + "actual,"
                + (seeded ? "actual_se," : "") + "predicted,abs_error");
        for (Point p : points) {
            StringBuilder row = new StringBuilder();
            if (named) {
                row.append(p.mixture() == null ? "" : p.mixture()).append(',');
            }
            row.append(p.pool()).append(',').append(count(p.poolSize())).append(',').append(count(p.samplesSeen()))
                    .append(',');
            if (seeded) {
                row.append(p.seeds() == null ? "" : p.seeds()).append(',');
            }
            row.append(p.actual()).append(',');
            if (seeded) {
                row.append(p.actualSe() == null ? "" : p.actualSe()).append(',');
            }
            row.append(p.predicted()).append(',').append(p.absError());
            out.println(row);
        }
    }

    /** Writes validation.csv ({@link #printCsv}) atomically. */
    public void writeCsv(Path file) {
        StringWriter s = new StringWriter();
        try (PrintWriter w = new PrintWriter(s)) {
            printCsv(w);
        }
        AtomicFiles.writeString(file, s.toString().replace(System.lineSeparator(), "\n"));
    }

    /** A whole sample count as an integer (640000000, not 6.4E8), anything else as a double. */
    static String count(double v) {
        return whole(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static boolean whole(double v) {
        return Math.rint(v) == v && Math.abs(v) < 9e15;
    }

    /** Jackson: {@link #count}'s rule for sample counts. */
    static final class Count extends JsonSerializer<Double> {
        @Override
        public void serialize(Double v, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (whole(v)) {
                gen.writeNumber((long) v.doubleValue());
            } else {
                gen.writeNumber(v);
            }
        }
    }
}
