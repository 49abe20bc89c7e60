package org.qqt.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.testutil.Parquet;
import org.qqt.filter.baseline.BaselineFilters;
import org.qqt.filter.baseline.FilterBench;
import org.qqt.filter.baseline.UidTransfer;
import org.qqt.data.PoolMetadata;
import org.qqt.data.Uid;
import org.qqt.io.BadInputException;

class OnePassFilterTest {
    /** 3000 rows with null, NaN, tied, negative and -0.0 scores, repeated uids, and the extreme uids. */
    private static Path awkwardPool(Path dir) {
        Random r = new Random(11);
        List<PoolMetadata.Row> rows = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Map<String, Double> s = new java.util.HashMap<>();
            if (i % 89 != 0) {
                s.put("score", i % 53 == 0 ? Double.NaN : i % 61 == 0 ? -0.0 : Math.floor(r.nextGaussian() * 6) / 6);
            }
            Uid u = i % 7 == 3 ? ScoreFilterTest.uid(i / 2) : ScoreFilterTest.uid(i);
            rows.add(new PoolMetadata.Row(u, "caption " + (i % 5 == 0 ? "x" : "for row " + i), 64, 64, 0.5, s));
        }
        rows.add(new PoolMetadata.Row(new Uid(-1L, -1L), "the largest uid", 64, 64, 0.5, Map.of("score", 0.0)));
        rows.add(new PoolMetadata.Row(new Uid(Long.MIN_VALUE, 0), "the sign bit", 64, 64, 0.5, Map.of("score", 0.0)));
        Path file = dir.resolve("pool.parquet");
        PoolMetadata.write(file, List.of("score"), rows);
        return file;
    }

    private static Path writeParquet(Path file, String select) {
        return Parquet.write(file, select);
    }

    private static FilterManifest run(Path parquet, FilterSpec spec, Path out, UidTransfer t, long budget) {
        try (PoolMetadata pool = PoolMetadata.open(parquet)) {
            return BaselineFilters.run(pool, spec, out, "test", t, budget);
        }
    }

    private static void assertSameOutput(FilterManifest expected, Path expectedDir, FilterManifest got, Path gotDir)
            throws Exception {
        assertEquals(expected.buckets(), got.buckets());
        assertEquals(expected.rankedRows(), got.rankedRows());
        for (BucketResult b : expected.buckets()) {
            assertArrayEquals(Files.readAllBytes(expectedDir.resolve(b.file())), Files.readAllBytes(gotDir.resolve(b.file())),
                    b.file());
        }
    }

    @Test
    void onePassWritesTheRowByRowPathsBytesInMemoryAndWhenSpilling(@TempDir Path dir) throws Exception {
        Path file = awkwardPool(dir);
        List<ScoreRange> withOverlap = new ArrayList<>(FilterBench.deciles());
        withOverlap.add(ScoreRange.top(25));
        List<FilterSpec> specs = List.of(new FilterSpec("score", withOverlap, null, 0, CaptionFilter.NONE),
                new FilterSpec("score", ScoreRange.parseList("0-30,30-100"), 40.0, 5, CaptionFilter.BASIC),
                new FilterSpec("score", ScoreRange.parseList("5-10,60-70"), null, 0, CaptionFilter.NONE));
        int k = 0;
        for (FilterSpec spec : specs) {
            Path slow = dir.resolve("slow-" + k);
            FilterManifest ms = run(file, spec, slow, UidTransfer.ROWS, 0);
            long written = ms.buckets().stream().mapToLong(BucketResult::count).sum();
            assertTrue(written > 300, "the buckets hold rows: " + written);
            for (long budget : new long[] {Long.MAX_VALUE, 1}) { // in memory; spilled to a file per bucket
                Path fast = dir.resolve("fast-" + k + "-" + budget);
                assertSameOutput(ms, slow, run(file, spec, fast, UidTransfer.ONE_PASS, budget), fast);
                Path one = dir.resolve("one-" + k + "-" + budget);
                assertSameOutput(ms, slow, run(file, spec, one, UidTransfer.ONE_PASS_ONE_WORKER, budget), one);
                try (var left = Files.list(fast)) {
                    assertEquals(ms.buckets().size() + 1, left.count(), "the buckets and manifest.json, nothing else");
                }
            }
            k++;
        }
    }

    @Test
    void aPoolOfSeveralParquetFilesGivesWhatOneFileGives(@TempDir Path dir) throws Exception {
        // the parallel scan cuts the pool into per-file parts: three files, one of them with several row groups
        Path one = awkwardPool(dir);
        Path parts = Files.createDirectories(dir.resolve("parts"));
        String src = "(SELECT *, row_number() OVER () AS r FROM read_parquet('" + one + "'))";
        Parquet.write(parts.resolve("a.parquet"), "SELECT * EXCLUDE (r) FROM " + src + " WHERE r <= 2500",
                ", ROW_GROUP_SIZE 2048");
        Parquet.write(parts.resolve("b.parquet"), "SELECT * EXCLUDE (r) FROM " + src + " WHERE r > 2500 AND r <= 2900");
        Parquet.write(parts.resolve("c.parquet"), "SELECT * EXCLUDE (r) FROM " + src + " WHERE r > 2900");
        FilterSpec spec = new FilterSpec("score", FilterBench.deciles(), null, 0, CaptionFilter.BASIC);
        FilterManifest whole = run(one, spec, dir.resolve("whole"), UidTransfer.ROWS, 0);
        FilterManifest split = run(parts, spec, dir.resolve("split"), UidTransfer.ONE_PASS, Long.MAX_VALUE);
        assertEquals(whole.buckets(), split.buckets());
        for (BucketResult b : whole.buckets()) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("whole").resolve(b.file())),
                    Files.readAllBytes(dir.resolve("split").resolve(b.file())), b.file());
        }
    }

    @Test
    void aDoubleScoreColumnRanksAtDoublePrecision(@TempDir Path dir) throws Exception {
        // scores that a float would merge: i * 1e-12 apart, plus ties, NaN and nulls
        Path parquet = writeParquet(dir.resolve("double.parquet"), "SELECT md5(i::VARCHAR) AS uid, 'caption ' || i AS "
                + "text, CASE WHEN i % 97 = 0 THEN NULL WHEN i % 89 = 0 THEN 'NaN'::DOUBLE WHEN i % 7 = 0 THEN 0.5::DOUBLE "
                + "ELSE 0.5 + (i % 1000) * 1e-12 END AS score FROM range(5000) t(i)");
        FilterSpec spec = new FilterSpec("score", FilterBench.deciles(), null, 0, CaptionFilter.NONE);
        FilterManifest rows = run(parquet, spec, dir.resolve("rows"), UidTransfer.ROWS, 0);
        FilterManifest fast = run(parquet, spec, dir.resolve("fast"), UidTransfer.ONE_PASS, Long.MAX_VALUE);
        assertSameOutput(rows, dir.resolve("rows"), fast, dir.resolve("fast"));
        assertTrue(fast.buckets().get(0).thresholdLow() > 0.5 + 8e-10, "a double threshold: " + fast.buckets().get(0));
    }

    @Test
    void bothZerosTieAtAThresholdOfZeroAsScoreAtLeastSays(@TempDir Path dir) throws Exception {
        // descending: 1.0 (30%), 0.0 (25%), -0.0 (15%), -1.0 (30%): the 40% threshold is 0.0, the 60% one -0.0,
        // and -0.0 >= 0.0
        List<PoolMetadata.Row> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            double v = i < 300 ? 1.0 : i < 550 ? 0.0 : i < 700 ? -0.0 : -1.0;
            rows.add(new PoolMetadata.Row(ScoreFilterTest.uid(i * 7919), "caption " + i, 64, 64, 0.5,
                    Map.of("score", v)));
        }
        Path file = dir.resolve("zeros.parquet");
        PoolMetadata.write(file, List.of("score"), rows);
        List<ScoreRange> ranges = new ArrayList<>(ScoreRange.parseList("0-40,40-60,60-100"));
        ranges.add(ScoreRange.top(65));
        FilterSpec spec = new FilterSpec("score", ranges, null, 0, CaptionFilter.NONE);
        FilterManifest slow = run(file, spec, dir.resolve("slow"), UidTransfer.ROWS, 0);
        FilterManifest fast = run(file, spec, dir.resolve("fast"), UidTransfer.ONE_PASS, Long.MAX_VALUE);
        assertSameOutput(slow, dir.resolve("slow"), fast, dir.resolve("fast"));
        assertEquals(700, fast.buckets().get(0).count(), "0-40 keeps every row >= 0.0, -0.0 included");
        assertEquals(0, fast.buckets().get(1).count(), "40-60: nothing between -0.0 and 0.0");
        assertEquals(0, org.qqt.data.SubsetFile.read(dir.resolve("fast").resolve(fast.buckets().get(1).file())).size());
        assertEquals(-0.0, fast.buckets().get(0).minScore(), "the lowest score of 0-40 is -0.0");
    }

    @Test
    void aBucketMaximumOutsideTheSelectionsCandidatesTakesASecondSelection(@TempDir Path dir) throws Exception {
        // 1.2M rows (above the selection's sort limit) of three values: every histogram bin holds one value, so
        // the largest score below the 50% threshold (2.0) is not among the candidates and is selected again
        Path parquet = writeParquet(dir.resolve("three.parquet"), "SELECT md5(i::VARCHAR) AS uid, 'caption ' || i AS "
                + "text, (1 + i % 3)::FLOAT AS score FROM range(1200000) t(i)");
        FilterSpec spec = new FilterSpec("score", ScoreRange.parseList("0-50,50-100"), null, 0, CaptionFilter.NONE);
        FilterManifest rows = run(parquet, spec, dir.resolve("rows"), UidTransfer.ROWS, 0);
        FilterManifest fast = run(parquet, spec, dir.resolve("fast"), UidTransfer.ONE_PASS, Long.MAX_VALUE);
        assertSameOutput(rows, dir.resolve("rows"), fast, dir.resolve("fast"));
        assertEquals(1.0, fast.buckets().get(1).maxScore());
        assertEquals(2.0, fast.buckets().get(0).minScore());
    }

    @Test
    void aManyBucketCallWritesWhatSeparateCallsWrite(@TempDir Path dir) throws Exception {
        Path file = awkwardPool(dir);
        List<ScoreRange> all = new ArrayList<>(FilterBench.deciles());
        all.add(ScoreRange.top(15));
        all.add(ScoreRange.top(35)); // between two deciles, clear of the tie block at 0 (43-52%)
        FilterManifest together = run(file, new FilterSpec("score", all, null, 0, CaptionFilter.NONE), dir.resolve("all"),
                UidTransfer.ONE_PASS, Long.MAX_VALUE);
        for (int b = 0; b < all.size(); b++) {
            Path alone = dir.resolve("alone-" + b);
            FilterManifest m = run(file, new FilterSpec("score", List.of(all.get(b)), null, 0, CaptionFilter.NONE), alone,
                    UidTransfer.ONE_PASS, Long.MAX_VALUE);
            assertEquals(m.buckets().get(0), together.buckets().get(b));
            String name = m.buckets().get(0).file();
            assertArrayEquals(Files.readAllBytes(alone.resolve(name)), Files.readAllBytes(dir.resolve("all").resolve(name)),
                    name);
        }
        long top30 = together.buckets().subList(0, 3).stream().mapToLong(BucketResult::count).sum();
        long top40 = top30 + together.buckets().get(3).count();
        long top35 = together.buckets().get(11).count();
        assertTrue(top30 < top35 && top35 < top40, top30 + " < " + top35 + " < " + top40);
    }

    @Test
    void radixSelectionAgreesWithSortingAndCountsWhatScoreAtLeastKeeps() {
        Random r = new Random(3);
        int n = 20000;
        double[] ds = new double[n];
        float[] fs = new float[n];
        for (int i = 0; i < n; i++) {
            double v = switch (i % 6) {
                case 0 -> r.nextGaussian();
                case 1 -> Math.floor(r.nextGaussian() * 3) / 3; // ties
                case 2 -> 0.25 + r.nextDouble() * 1e-6; // one narrow band: deep histogram levels
                case 3 -> i % 12 == 3 ? -0.0 : 0.0;
                case 4 -> r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                default -> -r.nextDouble() * 1e30;
            };
            ds[i] = v;
            fs[i] = (float) v;
        }
        double[] dSorted = Arrays.stream(ds).boxed().sorted((a, b) -> Double.compare(b, a)).mapToDouble(x -> x).toArray();
        double[] fSorted = new double[n];
        for (int i = 0; i < n; i++) {
            fSorted[i] = fs[i];
        }
        fSorted = Arrays.stream(fSorted).boxed().sorted((a, b) -> Double.compare(b, a)).mapToDouble(x -> x).toArray();
        // the ends, ties, the narrow band, both zeros (-0.0 sorts below 0.0 but >= counts it equal), and more
        List<Long> wanted = new ArrayList<>(List.of(0L, n - 1L, 1L, 5000L, 5001L, 9999L, 10000L, 13333L, 19998L, 37L));
        for (int i = 1; i < n; i++) {
            if (Double.compare(dSorted[i], dSorted[i - 1]) != 0 && (dSorted[i] == 0.0 || i % 997 == 0)) {
                wanted.add((long) i);
            }
        }
        long[] ks = wanted.stream().mapToLong(Long::longValue).toArray();
        for (int limit : new int[] {ScoreColumn.SORT_LIMIT, 100, 1}) {
            ScoreColumn.Ranked gotD = ScoreColumn.of(ds.clone()).descendingAt(ks, limit);
            ScoreColumn.Ranked gotF = ScoreColumn.of(fs.clone()).descendingAt(ks, limit);
            for (int i = 0; i < ks.length; i++) {
                double vd = dSorted[(int) ks[i]];
                double vf = fSorted[(int) ks[i]];
                assertEquals(Double.doubleToRawLongBits(vd), Double.doubleToRawLongBits(gotD.values()[i]),
                        "double, k=" + ks[i] + ", sort limit " + limit);
                assertEquals(Double.doubleToRawLongBits(vf), Double.doubleToRawLongBits(gotF.values()[i]),
                        "float, k=" + ks[i] + ", sort limit " + limit);
                assertEquals(Arrays.stream(ds).filter(x -> x >= vd).count(), gotD.atLeast()[i],
                        "double rows >= " + vd + ", sort limit " + limit);
                assertEquals(Arrays.stream(fSorted).filter(x -> x >= vf).count(), gotF.atLeast()[i],
                        "float rows >= " + vf + ", sort limit " + limit);
                // the next value, where the selection saw it: the first score that >= leaves out
                for (boolean isFloat : new boolean[] {false, true}) {
                    ScoreColumn.Ranked got = isFloat ? gotF : gotD;
                    double[] sorted = isFloat ? fSorted : dSorted;
                    double next = got.next()[i];
                    if (limit == ScoreColumn.SORT_LIMIT || !Double.isNaN(next)) {
                        double expected = got.atLeast()[i] < n ? sorted[(int) got.atLeast()[i]] : Double.NaN;
                        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(next),
                                (isFloat ? "float" : "double") + " after " + got.values()[i] + ", sort limit " + limit);
                    }
                }
            }
        }
    }

    @Test
    void radixSelectionSplitIntoChunksAgreesWithSorting() {
        Random r = new Random(5);
        float[] v = new float[3_000_001]; // above 2 x 2^20: the passes run in chunks on a machine with 2+ cores
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 1000 == 0 ? -0.0f : (float) Math.floor(r.nextGaussian() * 5000) / 5000;
        }
        float[] sorted = v.clone();
        Arrays.sort(sorted);
        long[] ks = {0, 1, 300_000, 1_500_000, 2_999_999, 3_000_000};
        for (int limit : new int[] {ScoreColumn.SORT_LIMIT, 1000}) {
            ScoreColumn.Ranked got = ScoreColumn.of(v).descendingAt(ks, limit);
            for (int i = 0; i < ks.length; i++) {
                float want = sorted[sorted.length - 1 - (int) ks[i]];
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits((float) got.values()[i]),
                        "k=" + ks[i] + ", sort limit " + limit);
                long atLeast = 0;
                for (float x : v) {
                    atLeast += x >= want ? 1 : 0;
                }
                assertEquals(atLeast, got.atLeast()[i], "rows >= " + want + ", sort limit " + limit);
            }
        }
    }

    @Test
    void hexDecodingAcceptsExactlyTheSixteenDigitsInEitherCase() {
        String valid = "0123456789abcdefABCDEF";
        for (int pos = 0; pos < 8; pos++) {
            for (int c = 0; c < 256; c++) {
                byte[] b = "0f1e2d3c".getBytes(StandardCharsets.US_ASCII);
                b[pos] = (byte) c;
                long w = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
                long got = ArrowUids.hex8(w);
                if (valid.indexOf(c) >= 0) {
                    assertEquals(Long.parseLong(new String(b, StandardCharsets.ISO_8859_1), 16), got, "byte " + c);
                } else {
                    assertEquals(-1, got, "byte " + c + " at " + pos);
                }
            }
        }
    }

    @Test
    void arrowScanDecodesEveryUidAcrossBatchesAndSkipsNullAndNaNScores(@TempDir Path dir) throws Exception {
        Path parquet = dir.resolve("pool.parquet");
        int rows = ArrowScan.BATCH_ROWS * 2 + 123; // three Arrow batches
        FilterBench.generatePool(parquet, rows, 5);
        try (PoolMetadata pool = PoolMetadata.open(parquet)) {
            // the expected uids and scores, one JDBC row at a time
            java.util.Set<Uid> expected = new java.util.HashSet<>();
            try (java.sql.PreparedStatement ps = pool.prepare(
                    "SELECT uid FROM pool WHERE score IS NOT NULL AND NOT isnan(score) AND score < 0.5");
                 java.sql.ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    expected.add(Uid.parse(r.getString(1)));
                }
            }
            java.util.Set<Uid> got = java.util.concurrent.ConcurrentHashMap.newKeySet();
            ArrowUids.Sink sink = (hi, lo, v, n) -> {
                for (int i = 0; i < n; i++) {
                    assertTrue(v[i] < 0.5 && v[i] >= 0.001, "score " + v[i]);
                    assertTrue(got.add(new Uid(hi[i], lo[i])));
                }
            };
            long read = ArrowUids.scan(pool, "uid", "CASE WHEN score >= 0.5 THEN NULL "
                    + "WHEN score < 0.001 THEN 'NaN'::FLOAT ELSE score END", "true", List.of(), 2, () -> sink);
            assertEquals(rows, read);
            long nan = expected.size() - got.size();
            assertTrue(nan > 0 && nan < rows / 200, "rows with a NaN score: " + nan);
            assertTrue(expected.containsAll(got));
        }
    }

    @Test
    void arrowScanNamesAUidThatIsNotThirtyTwoHexDigits(@TempDir Path dir) throws Exception {
        String good = "ffffffffffffffff0000000000000001";
        for (String bad : new String[] {null, "", "ffffffffffffffff000000000000000", good + "2",
            "fffffffffffffffg0000000000000001", "ffffffffffffffff 000000000000001", "ffffffffffffffff00000000000000\u00e9"}) {
            Path parquet = dir.resolve("bad-" + Math.abs(String.valueOf(bad).hashCode()) + ".parquet");
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
                 java.sql.PreparedStatement p = c.prepareStatement("COPY (SELECT * FROM (VALUES (?, 0.5::FLOAT), "
                         + "(?::VARCHAR, 0.25::FLOAT)) t(uid, score)) TO '" + parquet + "' (FORMAT parquet)")) {
                p.setString(1, good.toUpperCase(java.util.Locale.ROOT));
                p.setString(2, bad);
                p.execute();
            }
            try (PoolMetadata pool = PoolMetadata.open(parquet)) {
                BadInputException e = assertThrows(BadInputException.class, () -> ArrowUids.scan(pool, "uid", "score",
                        "true", List.of(), 2, () -> (hi, lo, v, n) -> { }));
                assertTrue(e.getMessage().contains(bad == null ? "uid null" : "uid '" + bad + "'"),
                        e.getMessage());
                assertTrue(e.getMessage().contains(parquet.getFileName().toString()), e.getMessage());
            }
        }
    }
}
