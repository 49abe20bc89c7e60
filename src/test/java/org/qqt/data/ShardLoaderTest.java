package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardLoaderTest {
    @TempDir
    Path dir;

    private final FakeTokenizer tok = new FakeTokenizer();

    private static ShardLoader.Options opts(int batch, long seed) {
        return ShardLoader.Options.of(8, 16, batch, seed);
    }

    /** Subset: samples 0..39 with counts 1,2,3,1,2,3,..., plus 5 uids that are not in the pool. */
    private static Map<Uid, Integer> subset() {
        Map<Uid, Integer> m = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            m.put(TestPools.uid(i), 1 + i % 3);
        }
        for (int i = 1000; i < 1005; i++) {
            m.put(TestPools.uid(i), 1);
        }
        return m;
    }

    private static List<Uid> drain(ShardLoader l, int batches) {
        List<Uid> out = new ArrayList<>();
        for (int b = 0; b < batches && l.hasNext(); b++) {
            Batch batch = l.next();
            List<Uid> uids = l.lastBatchUids();
            assertEquals(batch.size(), uids.size());
            for (int j = 0; j < batch.size(); j++) {
                assertEquals(TestPools.uid(TestPools.indexInBatch(batch, j)), uids.get(j), "image row " + j + " is its uid's image");
            }
            out.addAll(uids);
        }
        return out;
    }

    @Test
    void everySubsetSampleIsServedExactlyCountTimesPerEpochAndNothingElse() {
        TestPools.write(dir, 100, 30);
        Map<Uid, Integer> subset = subset();
        try (ShardLoader l = ShardLoader.open(dir, subset, tok, opts(7, 11).withSampleLimit(2 * 79))) {
            assertEquals(79, l.epochSize()); // 40 samples, counts 1..3: 14*1 + 13*2 + 13*3
            List<Uid> stream = drain(l, 1000);
            assertEquals(158, stream.size());
            for (int e = 0; e < 2; e++) {
                Map<Uid, Integer> served = new HashMap<>();
                for (Uid u : stream.subList(e * 79, (e + 1) * 79)) {
                    served.merge(u, 1, Integer::sum);
                }
                Map<Uid, Integer> expected = new HashMap<>(subset);
                expected.keySet().removeIf(u -> !served.containsKey(u) && !isInPool(u));
                assertEquals(expected, served, "epoch " + e);
            }
            assertNotEquals(stream.subList(0, 79), stream.subList(79, 158), "each epoch has its own order");
            LoaderStats s = l.stats();
            assertEquals(158, s.samplesServed());
            assertEquals(60, s.notInSubset());
            assertEquals(5, s.subsetUidsMissing());
            assertEquals(40, s.samplesKept());
            assertEquals(4, s.shards());
            assertEquals(0, s.samplesDropped());
            assertFalse(l.hasNext());
            assertThrows(NoSuchElementException.class, l::next);
        }
    }

    private static boolean isInPool(Uid u) {
        for (int i = 0; i < 100; i++) {
            if (TestPools.uid(i).equals(u)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void tokensAreTheCaptionsTokensZeroPadded() {
        TestPools.write(dir, 5, 10);
        try (ShardLoader l = ShardLoader.open(dir, null, tok, opts(5, 1))) {
            Batch b = l.next();
            for (int j = 0; j < 5; j++) {
                int i = TestPools.indexInBatch(b, j);
                int[] expected = tok.encode("caption number " + i, 16);
                int[] row = java.util.Arrays.copyOfRange(b.tokens(), j * 16, (j + 1) * 16);
                assertArrayEquals(expected, row);
            }
        }
    }

    private static List<Batch> batches(ShardLoader l, int n) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(l.next());
        }
        return out;
    }

    private static void assertSameBatches(List<Batch> a, List<Batch> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).images(), b.get(i).images(), "images of batch " + i);
            assertArrayEquals(a.get(i).tokens(), b.get(i).tokens(), "tokens of batch " + i);
        }
    }

    @Test
    void batchesAreIdenticalForAnyNumberOfDecodeThreads() {
        TestPools.write(dir, 100, 30);
        List<Batch> one;
        try (ShardLoader l = ShardLoader.open(dir, subset(), tok, opts(9, 5).withThreads(1))) {
            one = batches(l, 20);
        }
        try (ShardLoader l = ShardLoader.open(dir, subset(), tok, opts(9, 5).withThreads(3))) {
            assertSameBatches(one, batches(l, 20));
        }
        try (ShardLoader l = ShardLoader.open(dir, subset(), tok, opts(9, 6).withThreads(3))) {
            List<Batch> other = batches(l, 1);
            assertFalse(java.util.Arrays.equals(one.get(0).images(), other.get(0).images()), "another seed, another order");
        }
    }

    @Test
    void restoredLoaderContinuesWithExactlyTheBatchesOfAnUninterruptedOne() {
        TestPools.write(dir, 100, 30);
        for (ShardLoader.Mode mode : ShardLoader.Mode.values()) {
            List<Batch> all;
            LoaderState saved;
            try (ShardLoader l = ShardLoader.open(dir, subset(), tok, opts(13, 3).withMode(mode).withThreads(2))) {
                all = new ArrayList<>(batches(l, 7));
                saved = l.state();
                all.addAll(batches(l, 8)); // crosses the next epoch boundary, at sample 158
            }
            assertEquals(new LoaderState(3, 1, 7 * 13 - 79, 7 * 13), saved);
            try (ShardLoader l = ShardLoader.open(dir, subset(), tok, opts(13, 3).withMode(mode).withThreads(1))) {
                batches(l, 2); // a killed run had moved on; restore rewinds
                l.restore(saved);
                assertSameBatches(all.subList(7, 15), batches(l, 8));
                assertEquals(15 * 13, l.stats().samplesServed());
            }
        }
    }

    @Test
    void restoreRefusesAStateFromAnotherSeedOrEpochSize() {
        TestPools.write(dir, 20, 30);
        try (ShardLoader l = ShardLoader.open(dir, null, tok, opts(4, 3))) {
            assertThrows(org.qqt.io.BadInputException.class, () -> l.restore(new LoaderState(4, 0, 4, 4)));
            assertThrows(org.qqt.io.BadInputException.class, () -> l.restore(new LoaderState(3, 1, 4, 4)));
        }
    }

    @Test
    void resampledModeServesExactlyTheRequestedCountFromTheSubset() {
        TestPools.write(dir, 100, 30);
        Map<Uid, Integer> subset = subset();
        try (ShardLoader l = ShardLoader.open(dir, subset, tok,
                opts(64, 9).withMode(ShardLoader.Mode.RESAMPLED).withSampleLimit(1000))) {
            List<Uid> stream = drain(l, 1000);
            assertEquals(1000, stream.size());
            assertEquals(1000, l.stats().samplesServed());
            assertTrue(subset.keySet().containsAll(stream));
            assertFalse(l.hasNext());
            Map<Uid, Integer> served = new HashMap<>();
            stream.forEach(u -> served.merge(u, 1, Integer::sum));
            // drawn with replacement, in proportion to the counts: count-3 samples ~3x as often as count-1
            double c1 = 0;
            double c3 = 0;
            for (int i = 0; i < 40; i++) {
                int n = served.getOrDefault(TestPools.uid(i), 0);
                if (i % 3 == 0) {
                    c1 += n;
                } else if (i % 3 == 2) {
                    c3 += n;
                }
            }
            assertTrue(c3 / c1 > 2.2 && c3 / c1 < 4, "ratio " + c3 / c1);
        }
    }

    @Test
    void samplesBeyondTheMemoryCapAreReadFromTheirShardsWithTheSameResult() {
        TestPools.write(dir, 100, 30);
        List<Batch> inMemory;
        try (ShardLoader l = ShardLoader.open(dir, subset(), tok, opts(10, 2))) {
            assertEquals(0, l.stats().samplesOnDisk());
            inMemory = batches(l, 12);
        }
        try (ShardLoader l = ShardLoader.open(dir, subset(), tok, opts(10, 2).withMemoryCap(2000).withThreads(2))) {
            LoaderStats s = l.stats();
            assertTrue(s.samplesOnDisk() > 0 && s.bytesInMemory() <= 2000, s.toString());
            assertSameBatches(inMemory, batches(l, 12));
        }
    }

    @Test
    void corruptSamplesAndShardsAreDroppedCountedAndEveryGoodSampleIsStillServed() throws Exception {
        // shard 0: good samples 0..9; shard 1: 10 good then the broken ones; shard 2: empty;
        // shard 3: good 30..39 but truncated in the middle; shard 4: good 40..44
        byte[] webp = ImageCodecTest.class.getResourceAsStream("/images/tiny-lossless.webp").readAllBytes();
        byte[] goodJpeg = ImageCodec.encodeJpeg(TestPools.solid(8, 8, 0x808080), 0.9f);
        byte[] noisy = ImageCodec.encodeJpeg(noise(32, 32), 0.9f);
        byte[] truncated = java.util.Arrays.copyOf(noisy, noisy.length / 2);
        Map<Uid, String> expectedCaption = new HashMap<>();
        List<Uid> good = new ArrayList<>();
        try (ShardWriter w = new ShardWriter(dir, 1000, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 0; i < 10; i++) {
                w.write(TestPools.sample(i, 8));
                good.add(TestPools.uid(i));
            }
        }
        Path s1 = dir.resolve("s1");
        try (ShardWriter w = new ShardWriter(s1, 1000, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 10; i < 20; i++) {
                w.write(TestPools.sample(i, 8));
                good.add(TestPools.uid(i));
            }
            w.write(with(20, "jpg", truncated));                     // truncated JPEG: dropped
            Map<String, byte[]> noTxt = TestPools.sample(21, 8);
            noTxt.remove("txt");
            w.write(noTxt);                                            // no caption: dropped
            Map<String, byte[]> latin1 = TestPools.sample(22, 8);
            latin1.put("txt", "caf\u00e9 cr\u00e8me".getBytes(StandardCharsets.ISO_8859_1));
            w.write(latin1);                                           // not UTF-8: kept, repaired
            good.add(TestPools.uid(22));
            Map<String, byte[]> big = TestPools.sample(23, 8);
            big.put("png", ImageCodecTest.bombPng());
            w.write(big);                                              // over the pixel cap: dropped
            Map<String, byte[]> noJson = TestPools.sample(24, 8);
            noJson.remove("json");
            w.write(noJson);                                           // no uid: dropped
            Map<String, byte[]> noImage = TestPools.sample(25, 8);
            noImage.remove("png");
            w.write(noImage);                                          // no image: dropped
            w.write(with(26, "webp", webp));                           // webp: kept
            good.add(TestPools.uid(26));
            w.write(with(27, "jpg", goodJpeg));                        // jpg: kept
            good.add(TestPools.uid(27));
            w.write(with(28, "png", "not an image".getBytes()));      // unsupported: dropped
        }
        Files.move(s1.resolve("00000000.tar"), dir.resolve("00000001.tar"));
        Files.write(dir.resolve("00000002.tar"), new byte[0]);
        Path s3 = dir.resolve("s3");
        try (ShardWriter w = new ShardWriter(s3, 1000, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 30; i < 40; i++) {
                w.write(TestPools.sample(i, 8));
            }
        }
        Path t3 = dir.resolve("00000003.tar");
        Files.move(s3.resolve("00000000.tar"), t3);
        try (FileChannel ch = FileChannel.open(t3, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(t3) / 2);
        }
        int keptFrom3 = (int) ShardReader.readAll(t3).size();
        for (int i = 30; i < 30 + keptFrom3; i++) {
            good.add(TestPools.uid(i));
        }
        Path s4 = dir.resolve("s4");
        try (ShardWriter w = new ShardWriter(s4, 1000, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 40; i < 45; i++) {
                w.write(TestPools.sample(i, 8));
                good.add(TestPools.uid(i));
            }
        }
        Files.move(s4.resolve("00000000.tar"), dir.resolve("00000004.tar"));

        try (ShardLoader l = ShardLoader.open(dir, null, tok, opts(6, 4).withMaxPixels(1_000_000)
                .withSampleLimit(good.size()))) {
            List<Uid> served = new ArrayList<>();
            while (l.hasNext()) {
                l.next();
                served.addAll(l.lastBatchUids());
            }
            assertEquals(new java.util.HashSet<>(good), new java.util.HashSet<>(served));
            assertEquals(good.size(), served.size(), "each good sample exactly once");
            LoaderStats s = l.stats();
            assertEquals(5, s.shards());
            assertEquals(1, s.shardsEmpty());
            assertEquals(1, s.shardsCorrupt());
            assertEquals(1, s.samplesCut());
            assertEquals(1, s.imagesCorrupt(), s.toString());  // the truncated JPEG
            assertEquals(1, s.imagesTooLarge());
            assertEquals(1, s.imagesUnsupported());
            assertEquals(1, s.missingText());
            assertEquals(1, s.missingUid());
            assertEquals(1, s.missingImage());
            assertEquals(1, s.captionsRepaired());
            assertEquals(good.size(), s.samplesKept());
        }
    }

    private static Map<String, byte[]> with(int i, String ext, byte[] image) {
        Map<String, byte[]> m = TestPools.sample(i, 8);
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put(ext, image);
        out.put("txt", m.get("txt"));
        out.put("json", m.get("json"));
        return out;
    }

    private static java.awt.image.BufferedImage noise(int w, int h) {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(5);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt());
            }
        }
        return img;
    }

    @Test
    void aSubsetMatchingNothingIsABadInputError() {
        TestPools.write(dir, 10, 30);
        Map<Uid, Integer> other = Map.of(TestPools.uid(999), 1);
        assertThrows(org.qqt.io.BadInputException.class, () -> ShardLoader.open(dir, other, tok, opts(4, 1)));
    }

    @Test
    void countsOfASortedListWithDuplicates() {
        Map<Uid, Integer> m = ShardLoader.countsOf(List.of(TestPools.uid(1), TestPools.uid(1), TestPools.uid(2)));
        assertEquals(Map.of(TestPools.uid(1), 2, TestPools.uid(2), 1), m);
    }

    @Test
    void withoutTheDecodeCheckABadImageIsReplacedByTheNextGoodSampleDeterministically() {
        byte[] noisy = ImageCodec.encodeJpeg(noise(32, 32), 0.9f);
        Uid bad = TestPools.uid(5);
        try (ShardWriter w = new ShardWriter(dir, 1000, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 0; i < 12; i++) {
                w.write(i == 5 ? with(i, "jpg", java.util.Arrays.copyOf(noisy, noisy.length / 2)) : TestPools.sample(i, 8));
            }
        }
        List<List<Batch>> runs = new ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            try (ShardLoader l = ShardLoader.open(dir, null, tok, opts(4, 8).withVerifyImages(false)
                    .withThreads(threads).withSampleLimit(24))) {
                List<Batch> bs = new ArrayList<>();
                Map<Uid, Integer> served = new HashMap<>();
                while (l.hasNext()) {
                    Batch b = l.next();
                    bs.add(b);
                    for (int j = 0; j < b.size(); j++) {
                        Uid u = l.lastBatchUids().get(j);
                        assertEquals(TestPools.uid(TestPools.indexInBatch(b, j)), u);
                        served.merge(u, 1, Integer::sum);
                    }
                }
                assertFalse(served.containsKey(bad));
                assertEquals(4, served.get(TestPools.uid(6)), "sample 6 stands in for sample 5");
                assertEquals(2, l.stats().imagesReplaced());
                assertEquals(24, l.stats().samplesServed());
                runs.add(bs);
            }
        }
        assertSameBatches(runs.get(0), runs.get(1));
    }
}
