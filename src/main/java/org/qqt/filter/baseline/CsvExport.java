package org.qqt.filter.baseline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.filter.BucketResult;
import org.qqt.filter.FilterQuery;
import org.qqt.filter.FilterSpec;
import org.qqt.filter.ScoreRange;
import org.qqt.filter.SubsetSampling;
import org.qqt.io.BadInputException;
import org.qqt.io.Futures;

/** The EXPORT baseline's output: per bucket a CSV of uids written by DuckDB, decoded, sorted, written as .npy. */
final class CsvExport {
    private CsvExport() {}


    /** The EXPORT path: per bucket a CSV of uids written by DuckDB, decoded, sorted and written as {@code .npy}. */
    static void exportBuckets(PoolMetadata pool, FilterSpec spec, List<ScoreRange> ranges,
                                      List<Double[]> bounds, long[] inRange, double[] min, double[] max, long n,
                                      String score, String uid, String where, List<Object> params, Path stage,
                                      BucketResult[] results) throws IOException {
        int m = ranges.size();
        ExecutorService exporter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "qqt-filter-export");
            t.setDaemon(true);
            return t;
        });
        Future<Path> next = null;
        setting(pool, "SET preserve_insertion_order = false"); // the uids are sorted in Java anyway
        try {
            next = exporter.submit(() -> export(pool, score, uid, where, params, bounds.get(0), stage, 0));
            for (int b = 0; b < m; b++) {
                Path csv = Futures.await(next, "DuckDB exported uids");
                int following = b + 1;
                next = following < m ? exporter.submit(() -> export(pool, score, uid, where, params,
                        bounds.get(following), stage, following)) : null;
                if (inRange[b] > Integer.MAX_VALUE - 8) {
                    throw BadInputException.inFile(pool.origin(), "bucket " + ranges.get(b).label() + " has "
                            + inRange[b] + " rows, more than one subset file can hold; split the pool");
                }
                long[] hi = new long[(int) inRange[b]];
                long[] lo = new long[(int) inRange[b]];
                readUidLines(csv, hi, lo, pool.origin());
                Files.delete(csv);
                SubsetFile subset = SubsetFile.fromPairs(hi, lo);
                hi = null;
                lo = null;
                if (spec.randomPercent() != null) {
                    subset = SubsetSampling.sample(subset, (long) (subset.size() * (spec.randomPercent() / 100.0)), spec.seed());
                }
                ScoreRange r = ranges.get(b);
                String file = spec.fileName(r);
                subset.write(stage.resolve(file));
                results[b] = new BucketResult(r.label(), file, r.fromPercent(), r.toPercent(), bounds.get(b)[0],
                        bounds.get(b)[1], inRange[b], subset.size(), subset.size() / (double) n,
                        inRange[b] == 0 ? null : min[b], inRange[b] == 0 ? null : max[b]);
            }
        } finally {
            if (next != null) {
                try {
                    next.get(); // let a running COPY finish before the staging directory goes
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException ignored) {
                    // the first failure is already on its way
                }
            }
            exporter.shutdownNow();
            setting(pool, "RESET preserve_insertion_order");
        }
    }

    static void setting(PoolMetadata pool, String sql) {
        try (PreparedStatement ps = pool.prepare(sql)) {
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + PoolMetadata.firstLine(e), e);
        }
    }


    /** {@code COPY (SELECT uid FROM pool WHERE ... AND low <= score < high) TO stage/bucket-b.csv}. */
    static Path export(PoolMetadata pool, String score, String uid, String where, List<Object> params,
                               Double[] bound, Path stage, int b) {
        Path csv = stage.resolve("bucket-" + b + ".csv");
        List<Object> p = new ArrayList<>(params);
        StringBuilder range = new StringBuilder();
        if (bound[0] != null) {
            range.append(" AND ").append(score).append(" >= ?");
            p.add(bound[0]);
        }
        if (bound[1] != null) {
            range.append(" AND ").append(score).append(" < ?");
            p.add(bound[1]);
        }
        p.add(csv.toAbsolutePath().toString());
        String sql = "COPY (SELECT " + uid + " FROM pool WHERE " + where + range + ") TO ? (FORMAT csv, HEADER false)";
        try (PreparedStatement ps = FilterQuery.bind(pool.prepare(sql), p)) {
            ps.execute();
        } catch (SQLException e) {
            throw BadInputException.inFile(pool.origin(), "cannot read uids: " + PoolMetadata.firstLine(e));
        }
        return csv;
    }

    static final byte[] HEX_VALUE = hexTable();

    static byte[] hexTable() {
        byte[] t = new byte[256];
        Arrays.fill(t, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            t[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            t[c] = (byte) (c - 'a' + 10);
            t[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
        }
        return t;
    }

    /**
     * Decodes a file of lines of 32 hex characters (optionally ending in {@code \r\n}) into exactly
     * {@code hi.length} pairs; anything else (an empty line for a null uid, a quoted field, a wrong length or count)
     * fails.
     */
    public static void readUidLines(Path file, long[] hi, long[] lo, Path origin) throws IOException {
        int expected = hi.length;
        int row = 0;
        int digits = 0;
        long v = 0;
        byte[] buf = new byte[1 << 22];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            int len;
            while ((len = in.read(buf)) > 0) {
                for (int i = 0; i < len; i++) {
                    int c = buf[i] & 0xff;
                    int d = HEX_VALUE[c];
                    if (d >= 0 && digits < 32) {
                        v = (v << 4) | d;
                        if (++digits == 16) {
                            if (row == expected) {
                                throw new IllegalStateException("bucket has more rows than counted (" + expected + ")");
                            }
                            hi[row] = v;
                            v = 0;
                        }
                    } else if (c == '\n' && digits == 32) {
                        lo[row++] = v;
                        v = 0;
                        digits = 0;
                    } else if (c != '\r' || digits != 32) {
                        throw BadInputException.inFile(origin, "uid number " + (row + 1)
                                + " of a bucket is not 32 hex characters (or is null); fix the uid column");
                    }
                }
            }
        }
        if (digits != 0) {
            throw BadInputException.inFile(origin, "uid number " + (row + 1) + " of a bucket is not 32 hex characters");
        }
        if (row != expected) {
            throw new IllegalStateException("bucket has " + row + " rows, counted " + expected);
        }
    }
}
