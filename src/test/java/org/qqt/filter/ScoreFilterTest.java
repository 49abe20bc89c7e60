package org.qqt.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.filter.baseline.BaselineFilters;
import org.qqt.filter.baseline.FilterBench;
import org.qqt.filter.baseline.UidTransfer;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.data.Uid;
import org.qqt.io.BadInputException;

class ScoreFilterTest {
    static Uid uid(int i) {
        return new Uid(0x9e3779b97f4a7c15L * (i + 1), i);
    }

    /** A pool whose row i has score scores[i] (null = missing) and caption captions[i]. */
    static Path pool(Path dir, Double[] scores, String[] captions) {
        List<PoolMetadata.Row> rows = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            Map<String, Double> s = new java.util.HashMap<>();
            if (scores[i] != null) {
                s.put("score", scores[i]);
            }
            rows.add(new PoolMetadata.Row(uid(i), captions == null ? "a caption for row " + i : captions[i], 256, 256, 0.5, s));
        }
        Path file = dir.resolve("pool.parquet");
        PoolMetadata.write(file, List.of("score"), rows);
        return file;
    }

    static FilterManifest filter(Path parquet, FilterSpec spec, Path out) {
        try (PoolMetadata pool = PoolMetadata.open(parquet)) {
            return ScoreFilter.run(pool, spec, out, "test");
        }
    }

    static Set<Uid> rowsOf(Path npy) {
        return new HashSet<>(SubsetFile.read(npy).uids());
    }

    static Set<Uid> uids(int... rows) {
        Set<Uid> s = new HashSet<>();
        for (int r : rows) {
            s.add(uid(r));
        }
        return s;
    }

    @Test
    void topFractionKeepsScoresAtOrAboveTheValueAtIndexIntNf(@TempDir Path dir) {
        // scores 1..10 (row i has score i+1); top 30%: index int(10*0.3) = 3 of the descending order = 7
        Double[] s = new Double[10];
        for (int i = 0; i < 10; i++) {
            s[i] = (double) (i + 1);
        }
        Path out = dir.resolve("out");
        FilterManifest m = filter(pool(dir, s, null), new FilterSpec("score", List.of(ScoreRange.top(30)), null, 0,
                CaptionFilter.NONE), out);
        BucketResult b = m.buckets().get(0);
        assertEquals("top0-30.npy", b.file());
        assertEquals(7.0, b.thresholdLow());
        assertNull(b.thresholdHigh());
        assertEquals(4, b.count(), "DataComp keeps score >= threshold: 4 rows of 10 for 30%");
        assertEquals(uids(6, 7, 8, 9), rowsOf(out.resolve("top0-30.npy")));
        assertEquals(7.0, b.minScore());
        assertEquals(10.0, b.maxScore());
        assertTrue(Files.exists(out.resolve("manifest.json")));
    }

    @Test
    void consecutiveRangesPartitionThePoolAndTiesGoToTheHigherBucket(@TempDir Path dir) {
        // descending: 5 5 5 5 3 3 2 1 1 0
        Double[] s = {5.0, 3.0, 5.0, 1.0, 0.0, 5.0, 2.0, 3.0, 5.0, 1.0};
        Path out = dir.resolve("out");
        FilterManifest m = filter(pool(dir, s, null), new FilterSpec("score",
                ScoreRange.parseList("0-20,20-50,50-100"), null, 0, CaptionFilter.NONE), out);
        // thr(0.2) = desc[2] = 5 -> all four 5s; thr(0.5) = desc[5] = 3 -> [3, 5) = both 3s; rest < 3
        assertEquals(List.of(4L, 2L, 4L), m.buckets().stream().map(BucketResult::count).toList());
        assertEquals(uids(0, 2, 5, 8), rowsOf(out.resolve("top0-20.npy")));
        assertEquals(uids(1, 7), rowsOf(out.resolve("top20-50.npy")));
        assertEquals(uids(3, 4, 6, 9), rowsOf(out.resolve("top50-100.npy")));
        assertEquals(5.0, m.buckets().get(1).thresholdHigh());
        assertEquals(3.0, m.buckets().get(1).thresholdLow());
        assertNull(m.buckets().get(2).thresholdLow());
    }

    @Test
    void bucketsMatchABruteForceSortOnRandomScoresWithTies(@TempDir Path dir) {
        Random r = new Random(3);
        int n = 1000;
        Double[] s = new Double[n];
        for (int i = 0; i < n; i++) {
            s[i] = i % 97 == 0 ? null : Math.floor(r.nextGaussian() * 8) / 8; // many ties, some nulls
        }
        Path out = dir.resolve("out");
        List<ScoreRange> ranges = ScoreRange.parseList("0-10,10-20,20-30,30-40,90-100");
        FilterManifest m = filter(pool(dir, s, null), new FilterSpec("score", ranges, null, 0, CaptionFilter.NONE), out);
        double[] desc = Arrays.stream(s).filter(x -> x != null).mapToDouble(Double::doubleValue)
                .map(x -> (float) x).boxed().sorted((a, b) -> Double.compare(b, a)).mapToDouble(Double::doubleValue).toArray();
        assertEquals(desc.length, m.rankedRows());
        for (int b = 0; b < ranges.size(); b++) {
            ScoreRange rg = ranges.get(b);
            int kLow = (int) (desc.length * (rg.toPercent() / 100.0));
            int kHigh = (int) (desc.length * (rg.fromPercent() / 100.0));
            Double low = kLow < desc.length ? desc[kLow] : null;
            Double high = rg.fromPercent() == 0 ? null : desc[kHigh];
            Set<Uid> expected = new HashSet<>();
            for (int i = 0; i < n; i++) {
                if (s[i] != null) {
                    double v = (float) (double) s[i];
                    if ((low == null || v >= low) && (high == null || v < high)) {
                        expected.add(uid(i));
                    }
                }
            }
            assertEquals(low, m.buckets().get(b).thresholdLow(), rg.label());
            assertEquals(expected, rowsOf(out.resolve("top" + rg.label() + ".npy")), rg.label());
            assertEquals(expected.size(), m.buckets().get(b).count());
        }
    }

    @Test
    void randomSubsampleIsSeededExactSizeAndInsideItsBucket(@TempDir Path dir) {
        Double[] s = new Double[200];
        for (int i = 0; i < s.length; i++) {
            s[i] = (double) i;
        }
        Path parquet = pool(dir, s, null);
        FilterSpec spec = new FilterSpec("score", List.of(new ScoreRange(0, 40)), 25.0, 7, CaptionFilter.NONE);
        FilterManifest m = filter(parquet, spec, dir.resolve("a"));
        filter(parquet, spec, dir.resolve("b"));
        filter(parquet, new FilterSpec("score", List.of(new ScoreRange(0, 40)), 25.0, 8, CaptionFilter.NONE), dir.resolve("c"));
        BucketResult b = m.buckets().get(0);
        assertEquals("top0-40-random25.npy", b.file());
        assertEquals(81, b.rankedCount()); // thr = desc[80] = 119 -> scores 119..199
        assertEquals(20, b.count()); // int(81 * 0.25)
        Set<Uid> a = rowsOf(dir.resolve("a/top0-40-random25.npy"));
        assertEquals(20, a.size());
        assertEquals(a, rowsOf(dir.resolve("b/top0-40-random25.npy")), "same seed, same rows");
        assertNotEquals(a, rowsOf(dir.resolve("c/top0-40-random25.npy")), "another seed, other rows");
        Set<Uid> bucket = new HashSet<>();
        for (int i = 119; i < 200; i++) {
            bucket.add(uid(i));
        }
        assertTrue(bucket.containsAll(a));
    }

    @Test
    void basicCaptionFilterDropsShortCaptionsBeforeRanking(@TempDir Path dir) {
        String[] captions = {"a b", "abc def ghi", "a b c", null, "x y z!", "  x   y  z  ", "one two three four"};
        Double[] s = {7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0};
        for (int i = 0; i < captions.length; i++) {
            assertEquals(Set.of(1, 4, 5, 6).contains(i), CaptionFilter.BASIC.keeps(captions[i]), String.valueOf(captions[i]));
        }
        Path out = dir.resolve("out");
        FilterManifest m = filter(pool(dir, s, captions), new FilterSpec("score", List.of(new ScoreRange(0, 100)), null, 0,
                CaptionFilter.BASIC), out);
        assertEquals(4, m.rankedRows());
        assertEquals(7, m.poolRows());
        assertEquals(uids(1, 4, 5, 6), rowsOf(out.resolve("top0-100.npy")));
    }

    @Test
    void nullAndNanScoresAreNeitherRankedNorWritten(@TempDir Path dir) {
        Double[] s = {Double.NaN, 1.0, 2.0, 3.0, null, Double.NaN};
        Path out = dir.resolve("out");
        FilterManifest m = filter(pool(dir, s, null), new FilterSpec("score", ScoreRange.parseList("0-50,50-100"), null,
                0, CaptionFilter.NONE), out);
        assertEquals(3, m.rankedRows());
        assertEquals(6, m.poolRows());
        assertEquals(uids(2, 3), rowsOf(out.resolve("top0-50.npy"))); // thr = desc[int(1.5)] = 2
        assertEquals(uids(1), rowsOf(out.resolve("top50-100.npy")));
    }

    @Test
    void topCombinedWithRangesItOverlapsIsWrittenFromASecondScan(@TempDir Path dir) {
        Double[] s = new Double[20];
        for (int i = 0; i < 20; i++) {
            s[i] = (double) i;
        }
        List<ScoreRange> ranges = List.of(ScoreRange.top(30), new ScoreRange(0, 10), new ScoreRange(10, 20));
        assertEquals(List.of(List.of(0), List.of(1, 2)), BaselineFilters.disjointPasses(ranges));
        Path out = dir.resolve("out");
        FilterManifest m = filter(pool(dir, s, null), new FilterSpec("score", ranges, null, 0, CaptionFilter.NONE), out);
        assertEquals(List.of(7L, 3L, 2L), m.buckets().stream().map(BucketResult::count).toList());
        Set<Uid> top30 = rowsOf(out.resolve("top0-30.npy"));
        assertTrue(top30.containsAll(rowsOf(out.resolve("top0-10.npy"))));
        assertTrue(top30.containsAll(rowsOf(out.resolve("top10-20.npy"))));
    }

    @Test
    void badSpecsAreBadInputAndWriteNothing(@TempDir Path dir) {
        Path parquet = pool(dir, new Double[] {1.0, 2.0}, null);
        assertThrows(BadInputException.class, () -> ScoreRange.parseList("0-20,10-30"));
        assertThrows(BadInputException.class, () -> ScoreRange.parseList("90-110"));
        assertThrows(BadInputException.class, () -> ScoreRange.parseList("20-10"));
        assertThrows(BadInputException.class, () -> ScoreRange.top(0));
        assertThrows(BadInputException.class, () -> ScoreRange.top(101));
        assertThrows(BadInputException.class, () -> new FilterSpec("score", List.of(), null, 0, CaptionFilter.NONE));
        Path out = dir.resolve("out");
        assertThrows(BadInputException.class, () -> filter(parquet, new FilterSpec("nope", List.of(ScoreRange.top(10)),
                null, 0, CaptionFilter.NONE), out));
        assertFalse(Files.exists(out));
    }

    @Test
    void thresholdSelectionAgreesWithSorting() {
        Random r = new Random(11);
        double[] a = new double[5000];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextInt(300) / 7.0;
        }
        double[] desc = Arrays.stream(a).boxed().sorted((x, y) -> Double.compare(y, x)).mapToDouble(Double::doubleValue).toArray();
        long[] ks = {0, 4999, 500, 1000, 1000, 2500, 37};
        double[] got = Thresholds.descendingAt(a.clone(), ks);
        for (int i = 0; i < ks.length; i++) {
            assertEquals(desc[(int) ks[i]], got[i], "k=" + ks[i]);
        }
        assertEquals(3, Thresholds.index(10, 30));
        assertEquals(28, Thresholds.index(100, 29), "int(100 * 0.29) is 28 in double arithmetic, as in Python");
    }

    @Test
    void exportPathWritesTheSameNpyBytesAndManifestAsTheRowByRowPath(@TempDir Path dir) throws Exception {
        Random r = new Random(11);
        int n = 3000;
        List<PoolMetadata.Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Double> s = new java.util.HashMap<>();
            if (i % 89 != 0) { // some null scores
                s.put("score", i % 53 == 0 ? Double.NaN : Math.floor(r.nextGaussian() * 6) / 6); // NaN, many ties
            }
            // duplicates: every 7th row repeats an earlier uid (with its own score); uids span the unsigned range
            Uid u = i % 7 == 3 ? uid(i / 2) : uid(i);
            rows.add(new PoolMetadata.Row(u, "caption " + (i % 5 == 0 ? "x" : "for row " + i), 64, 64, 0.5, s));
        }
        rows.add(new PoolMetadata.Row(new Uid(-1L, -1L), "the largest uid", 64, 64, 0.5, Map.of("score", 0.0)));
        rows.add(new PoolMetadata.Row(new Uid(Long.MIN_VALUE, 0), "the sign bit", 64, 64, 0.5, Map.of("score", 0.0)));
        Path file = dir.resolve("pool.parquet");
        PoolMetadata.write(file, List.of("score"), rows);
        List<ScoreRange> ranges = new ArrayList<>(FilterBench.deciles());
        ranges.add(ScoreRange.top(25));
        for (FilterSpec spec : List.of(new FilterSpec("score", ranges, null, 0, CaptionFilter.NONE),
                new FilterSpec("score", ScoreRange.parseList("0-30,30-100"), 40.0, 5, CaptionFilter.BASIC))) {
            Path fast = dir.resolve("fast-" + spec.buckets().size());
            Path slow = dir.resolve("slow-" + spec.buckets().size());
            FilterManifest mf;
            FilterManifest ms;
            try (PoolMetadata pool = PoolMetadata.open(file)) {
                mf = BaselineFilters.run(pool, spec, fast, "test", UidTransfer.EXPORT);
                ms = BaselineFilters.run(pool, spec, slow, "test", UidTransfer.ROWS);
            }
            assertEquals(ms.buckets(), mf.buckets());
            assertEquals(ms.rankedRows(), mf.rankedRows());
            long written = 0;
            for (BucketResult b : ms.buckets()) {
                byte[] expected = Files.readAllBytes(slow.resolve(b.file()));
                assertTrue(Arrays.equals(expected, Files.readAllBytes(fast.resolve(b.file()))), b.file());
                written += b.count();
            }
            assertTrue(written > 500, "the buckets hold rows: " + written);
        }
    }

    @Test
    void lowercaseHexOrderIsTheUnsignedPairOrderOfSubsetFiles() {
        Random r = new Random(5);
        List<Uid> us = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            long h = i % 3 == 0 ? (r.nextBoolean() ? Long.MIN_VALUE : -1L) : r.nextLong();
            us.add(new Uid(h, i % 5 == 0 ? r.nextInt(3) - 1L : r.nextLong()));
        }
        List<String> byHex = us.stream().map(Uid::hex).sorted().toList();
        List<String> byPairs = SubsetFile.of(us).uids().stream().map(Uid::hex).toList();
        assertEquals(byHex, byPairs);
        assertTrue(byHex.get(0).matches("[0-9a-f]{32}"));
    }

    @Test
    void duckDbThresholdsAreExactWhateverTheSampleAndBracketWidth(@TempDir Path dir) {
        Random r = new Random(17);
        Double[] s = new Double[1500];
        for (int i = 0; i < s.length; i++) {
            s[i] = i % 61 == 0 ? Double.NaN : (i % 3 == 0 ? Math.floor(r.nextGaussian() * 4) / 4 : r.nextGaussian());
        }
        Path file = pool(dir, s, null);
        List<ScoreRange> ranges = ScoreRange.parseList("0-10,10-20,20-30,30-40,40-50,50-60,60-70,70-80,80-90,90-100");
        try (PoolMetadata p = PoolMetadata.open(file)) {
            List<String> java = BaselineFilters.rankingWith(p, "score", ranges, -1, -1);
            assertEquals(java, BaselineFilters.rankingWith(p, "score", ranges, 0, -1), "whole pool as the sample");
            for (double percent : new double[] {3, 20, 60}) {
                for (int margin : new int[] {-1, 0, 1, 4}) {
                    assertEquals(java, BaselineFilters.rankingWith(p, "score", ranges, percent, margin),
                            "sample " + percent + "%, margin " + margin);
                }
            }
        }
    }
}
