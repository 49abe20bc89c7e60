package org.qqt.filter.baseline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.data.ClipTokenizer;
import org.qqt.data.PoolMetadata;
import org.qqt.filter.CaptionFilter;
import org.qqt.filter.FilterManifest;
import org.qqt.filter.FilterPhases;
import org.qqt.filter.FilterSpec;
import org.qqt.filter.ScoreFilter;
import org.qqt.filter.ScoreRange;
import org.qqt.filter.BucketResult;

/**
 * Measurements behind {@code qqt bench filter}: a synthetic metadata parquet made by DuckDB SQL, the filter's
 * top-10% and decile jobs on it, and same-run DuckDB scans of the same file as the baseline.
 */
public final class FilterBench {
    private FilterBench() {}

    /** One measured job; {@code phases}: seconds per phase of the default path (empty for the others). */
    public record Timing(String job, long rows, double seconds, Map<String, Double> phases) {
        public Timing(String job, long rows, double seconds) {
            this(job, rows, seconds, Map.of());
        }
    }

    /**
     * Writes a metadata parquet of {@code rows} rows: uid = md5 of the row number (32 hex chars), a caption, and a
     * FLOAT score in [0, 1) from DuckDB's hash (shifted right first: {@code hash()} is UBIGINT). Deterministic in
     * {@code seed}; written by one {@code COPY (SELECT ... FROM range(N)) TO ?}.
     */
    public static void generatePool(Path parquet, long rows, long seed) {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement p = c.prepareStatement("COPY (SELECT md5(i::VARCHAR) AS uid, "
                     + "'a photo of item ' || i AS text, "
                     + "((hash(i, ?::BIGINT) >> 11)::DOUBLE / 9007199254740992.0)::FLOAT AS score "
                     + "FROM range(?::BIGINT) t(i)) TO ? (FORMAT parquet)")) {
            Files.createDirectories(parquet.toAbsolutePath().getParent());
            p.setLong(1, seed);
            p.setLong(2, rows);
            p.setString(3, parquet.toAbsolutePath().toString());
            p.execute();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot generate " + parquet + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Label of the scan baseline. */
    public static final String SCAN = "duckdb scan sum(strlen(uid)), sum(score)";

    /**
     * The baseline: {@code SELECT count(*)} (parquet answers it from its metadata) and a real scan of the uid and
     * score columns (count(uid) or min/max would be answered from parquet statistics too).
     */
    public static List<Timing> baselines(Path parquet, long rows) {
        List<Timing> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            out.add(time(c, "duckdb SELECT count(*)", "SELECT count(*) FROM read_parquet(?)", parquet, rows));
            out.add(time(c, SCAN, "SELECT count(*), sum(strlen(uid)), sum(score) FROM read_parquet(?)", parquet, rows));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static Timing time(Connection c, String job, String sql, Path parquet, long rows) throws SQLException {
        long t0 = System.nanoTime();
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, parquet.toAbsolutePath().toString());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                if (r.getLong(1) != rows) {
                    throw new IllegalStateException("expected " + rows + " rows, DuckDB counted " + r.getLong(1));
                }
            }
        }
        return new Timing(job, rows, (System.nanoTime() - t0) / 1e9);
    }

    /** Which implementation a timed filter job runs. */
    public enum Implementation {
        /** The default: one score pass, one uid export for all buckets. */
        ONE_PASS(UidTransfer.ONE_PASS),
        /** The default with one scan worker: the same-run measure of the parallel scan. */
        ONE_WORKER(UidTransfer.ONE_PASS_ONE_WORKER),
        /** The previous default, one uid export per bucket: the same-run baseline. */
        PER_BUCKET_EXPORT(UidTransfer.EXPORT),
        /** Every score and uid through JDBC row by row. */
        ROW_BY_ROW(UidTransfer.ROWS);

        private final UidTransfer transfer;

        Implementation(UidTransfer transfer) {
            this.transfer = transfer;
        }
    }

    /** The filter job end to end (open metadata, rank, write buckets + manifest) on the given path. */
    public static Timing filter(String job, Path parquet, List<ScoreRange> ranges, Path out,
                                long rows, Implementation path) {
        long t0 = System.nanoTime();
        FilterPhases phases = FilterPhases.recording();
        try (PoolMetadata pool = PoolMetadata.open(parquet)) {
            FilterManifest m = BaselineFilters.run(pool, new FilterSpec("score", ranges, null, 0, CaptionFilter.NONE), out,
                    "qqt bench filter", path.transfer, ScoreFilter.memoryBudgetUids(), phases);
            long written = m.buckets().stream().mapToLong(BucketResult::count).sum();
            if (written < rows * (ranges.get(ranges.size() - 1).toPercent() - ranges.get(0).fromPercent()) / 100 - 1) {
                throw new IllegalStateException("filter wrote only " + written + " rows");
            }
        }
        boolean onePass = path == Implementation.ONE_PASS || path == Implementation.ONE_WORKER;
        return new Timing(job, rows, (System.nanoTime() - t0) / 1e9, onePass ? phases.seconds() : Map.of());
    }

    /** The decile ranges 0-10, ..., 90-100. */
    public static List<ScoreRange> deciles() {
        List<ScoreRange> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(new ScoreRange(i * 10, i * 10 + 10));
        }
        return out;
    }

    /** Captions per second of {@link ClipTokenizer#encode} over {@code n} varied synthetic captions: {cold, warm}. */
    public static double[] tokenizerThroughput(int n) {
        String[] shapes = {"star", "circle", "hexagon", "triangle", "square", "heart", "cross", "moon", "arrow", "ring",
            "diamond", "pentagon"};
        String[] colours = {"red", "green", "blue", "yellow", "purple", "orange", "black", "white", "grey", "pink"};
        String[] places = {"top left", "top right", "bottom left", "bottom right", "center", "middle left"};
        String[] bgs = {"striped", "dotted", "plain", "checkered", "noisy"};
        List<String> captions = new ArrayList<>(n);
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < n; i++) {
            captions.add(String.format(Locale.ROOT, "A %s %s %s in the %s on a %s background, photo %d.",
                    r.nextBoolean() ? "small" : "large", colours[r.nextInt(colours.length)],
                    shapes[r.nextInt(shapes.length)], places[r.nextInt(places.length)], bgs[r.nextInt(bgs.length)],
                    r.nextInt(100000)));
        }
        ClipTokenizer tok = ClipTokenizer.load();
        double[] out = new double[2];
        for (int pass = 0; pass < 2; pass++) {
            long t0 = System.nanoTime();
            long sink = 0;
            for (String c : captions) {
                sink += tok.encode(c, 77)[3];
            }
            out[pass] = n / ((System.nanoTime() - t0) / 1e9);
            if (sink == 42) {
                out[pass] += 0; // keep the loop alive
            }
        }
        return out;
    }


}
