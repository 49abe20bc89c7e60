package org.qqt.filter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

/**
 * The filter stage: ranks a pool's rows by a score column and writes quality buckets as DataComp subset files.
 *
 * <ol>
 *   <li>Rows count when their score is neither null nor NaN and their caption passes the {@link CaptionFilter};
 *       N is their number.</li>
 *   <li>threshold(f) = the score at index {@code (long) (N * f)} of the scores sorted descending (DataComp's
 *       {@code get_threshold}); for f = 1 there is no threshold.</li>
 *   <li>Range [p, q) keeps {@code threshold(q) <= score < threshold(p)} (no upper bound for p = 0). Consecutive
 *       ranges therefore partition the ranked rows exactly; rows tied with a threshold all go to the higher
 *       bucket, so a bucket can hold a little more than its share (and the one below a little less), exactly as
 *       DataComp's {@code score >= threshold} keeps every tie.</li>
 *   <li>{@code --random r}: of a bucket's n rows, {@code (long) (n * r / 100.0)} are drawn without replacement by
 *       selection sampling over the rows in uid order with {@code java.util.Random(seed)}, fresh for every
 *       bucket, so the draw is reproducible and independent of DuckDB's scan order.</li>
 * </ol>
 * Each bucket is written to a staging directory first; when all are written they are renamed into place and
 * {@code manifest.json} is written last. A failure leaves the output directory as it was.
 */
public final class ScoreFilter {
    private static final String WORD_COUNT = "len(regexp_extract_all(%s, '\\S+'))";

    private ScoreFilter() {}

    public static FilterManifest run(PoolMetadata pool, FilterSpec spec, Path outDir, String command) {
        String score = pool.floatColumn(spec.scoreColumn());
        String uid = pool.requireUidColumn();
        List<Object> params = new ArrayList<>();
        String captionWhere = "";
        if (spec.caption().active()) {
            String text = pool.column("text");
            if (!"VARCHAR".equalsIgnoreCase(pool.schema().get("text"))) {
                throw BadInputException.inFile(pool.origin(), "column 'text' is " + pool.schema().get("text")
                        + "; the caption filter needs captions as text");
            }
            captionWhere = String.format(WORD_COUNT, text) + " >= ? AND length(" + text + ") >= ?";
            params.add(spec.caption().minWords());
            params.add(spec.caption().minChars());
        }
        // The bucket queries need "NOT isnan": DuckDB orders NaN above every number, so "score >= ?" alone would
        // select NaN rows. The score fetch drops nulls and NaNs in Java instead (cheaper than in SQL).
        String where = score + " IS NOT NULL AND NOT isnan(" + score + ")"
                + (captionWhere.isEmpty() ? "" : " AND " + captionWhere);
        String type = pool.schema().get(spec.scoreColumn()).toUpperCase(java.util.Locale.ROOT);
        boolean isFloat = type.equals("FLOAT") || type.equals("REAL");
        double[] scores = fetchScores(pool, "SELECT " + score + " FROM pool"
                + (captionWhere.isEmpty() ? "" : " WHERE " + captionWhere), params, isFloat);
        int n = scores.length;
        if (n == 0) {
            throw BadInputException.inFile(pool.origin(), "no row has a " + spec.scoreColumn()
                    + " score" + (spec.caption().active() ? " and a caption passing the caption filter" : ""));
        }

        // thresholds: one selection pass over all needed ranks
        List<ScoreRange> ranges = spec.buckets();
        long[] needed = ranges.stream().flatMapToLong(r -> java.util.stream.LongStream.of(
                Thresholds.index(n, r.fromPercent()), Thresholds.index(n, r.toPercent())))
                .filter(k -> k < n).distinct().toArray();
        double[] at = Thresholds.descendingAt(scores, needed);
        List<Double[]> bounds = new ArrayList<>();
        for (ScoreRange r : ranges) {
            Double low = thresholdOf(Thresholds.index(n, r.toPercent()), n, needed, at);
            Double high = r.fromPercent() == 0 ? null : thresholdOf(Thresholds.index(n, r.fromPercent()), n, needed, at);
            bounds.add(new Double[] {low, high});
        }

        Path stage = null;
        List<BucketResult> results = new ArrayList<>();
        try {
            Files.createDirectories(outDir);
            stage = Files.createTempDirectory(outDir, ".qqt-filter-");
            for (int b = 0; b < ranges.size(); b++) {
                ScoreRange r = ranges.get(b);
                Double low = bounds.get(b)[0];
                Double high = bounds.get(b)[1];
                long inRange = 0;
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (double s : scores) {
                    if ((low == null || s >= low) && (high == null || s < high)) {
                        inRange++;
                        min = Math.min(min, s);
                        max = Math.max(max, s);
                    }
                }
                StringBuilder sql = new StringBuilder("SELECT " + uid + " FROM pool WHERE " + where);
                List<Object> p = new ArrayList<>(params);
                if (low != null) {
                    sql.append(" AND ").append(score).append(" >= ?");
                    p.add(low);
                }
                if (high != null) {
                    sql.append(" AND ").append(score).append(" < ?");
                    p.add(high);
                }
                long[][] pairs = fetchUids(pool, sql.toString(), p, inRange);
                SubsetFile subset = SubsetFile.fromPairs(pairs[0], pairs[1]);
                if (spec.randomPercent() != null) {
                    subset = sample(subset, (long) (subset.size() * (spec.randomPercent() / 100.0)), spec.seed());
                }
                String file = spec.fileName(r);
                subset.write(stage.resolve(file));
                results.add(new BucketResult(r.label(), file, r.fromPercent(), r.toPercent(), low, high, inRange,
                        subset.size(), subset.size() / (double) n,
                        inRange == 0 ? null : min, inRange == 0 ? null : max));
            }
            for (BucketResult br : results) {
                move(stage.resolve(br.file()), outDir.resolve(br.file()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write buckets into " + outDir + ": " + e.getMessage(), e);
        } finally {
            deleteTree(stage);
        }
        FilterManifest manifest = new FilterManifest(FilterManifest.FORMAT, 1,
                pool.files().stream().map(f -> f.toAbsolutePath().normalize().toString()).toList(),
                spec.scoreColumn(), pool.rowCount(), n, FilterManifest.RULE,
                spec.caption().active() ? spec.caption() : null, spec.randomPercent(), spec.seed(), command, results);
        Json.write(outDir.resolve("manifest.json"), manifest);
        return manifest;
    }

    private static Double thresholdOf(long k, int n, long[] needed, double[] at) {
        if (k >= n) {
            return null;
        }
        for (int i = 0; i < needed.length; i++) {
            if (needed[i] == k) {
                return at[i];
            }
        }
        throw new IllegalStateException("threshold index " + k + " not computed");
    }

    /** {@code k} of the subset's rows, chosen by selection sampling (Knuth's algorithm S) in uid order. */
    static SubsetFile sample(SubsetFile s, long k, long seed) {
        Random rnd = new Random(seed);
        int n = s.size();
        long[] h = new long[(int) k];
        long[] l = new long[(int) k];
        int chosen = 0;
        for (int i = 0; i < n && chosen < k; i++) {
            if ((n - i) * rnd.nextDouble() < k - chosen) {
                h[chosen] = s.hi(i);
                l[chosen++] = s.lo(i);
            }
        }
        return SubsetFile.fromPairs(h, l);
    }

    private static double[] fetchScores(PoolMetadata pool, String sql, List<Object> params, boolean isFloat) {
        double[] out = new double[1 << 16];
        int n = 0;
        try (PreparedStatement ps = bind(pool.prepare(sql), params); ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                if (n == out.length) {
                    if (n == Integer.MAX_VALUE - 8) {
                        throw BadInputException.inFile(pool.origin(), "more than " + n + " scored rows; split the pool");
                    }
                    out = Arrays.copyOf(out, (int) Math.min(Integer.MAX_VALUE - 8, n * 2L));
                }
                double v = isFloat ? r.getFloat(1) : r.getDouble(1);
                if (r.wasNull() || Double.isNaN(v)) {
                    continue;
                }
                out[n++] = v;
            }
        } catch (SQLException e) {
            throw BadInputException.inFile(pool.origin(), "cannot read scores: " + firstLine(e));
        }
        return Arrays.copyOf(out, n);
    }

    private static long[][] fetchUids(PoolMetadata pool, String sql, List<Object> params, long expected) {
        long[] h = new long[(int) expected];
        long[] l = new long[(int) expected];
        int n = 0;
        try (PreparedStatement ps = bind(pool.prepare(sql), params); ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                String u = r.getString(1);
                if (n == h.length) {
                    throw new IllegalStateException("bucket has more rows than counted (" + expected + ")");
                }
                if (u == null || u.length() != 32) {
                    throw BadInputException.inFile(pool.origin(), "bad uid '" + u + "': expected 32 hex characters");
                }
                h[n] = hex16(u, 0, pool);
                l[n++] = hex16(u, 16, pool);
            }
        } catch (SQLException e) {
            throw BadInputException.inFile(pool.origin(), "cannot read uids: " + firstLine(e));
        }
        if (n != expected) {
            throw new IllegalStateException("bucket has " + n + " rows, counted " + expected);
        }
        return new long[][] {h, l};
    }

    private static long hex16(String s, int from, PoolMetadata pool) {
        long v = 0;
        for (int i = from; i < from + 16; i++) {
            char c = s.charAt(i);
            int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                d = c - 'A' + 10;
            } else {
                throw BadInputException.inFile(pool.origin(), "bad uid '" + s + "': expected 32 hex characters");
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private static PreparedStatement bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            if (v instanceof Double d) {
                ps.setDouble(i + 1, d);
            } else if (v instanceof Integer x) {
                ps.setInt(i + 1, x);
            } else {
                ps.setObject(i + 1, v);
            }
        }
        return ps;
    }

    private static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return m.lines().findFirst().orElse(m);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a hidden staging directory left behind loses nothing
        }
    }
}
