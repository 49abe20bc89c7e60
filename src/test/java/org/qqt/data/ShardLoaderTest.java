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

    private static LoaderOptions opts(int batch, long seed) {
        return LoaderOptions.of(8, 16, batch, seed);
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
            assertArrayEquals(a.get(i).pixels(), b.get(i).pixels(), "images of batch " + i);
            assertArrayEquals(a.get(i).tokens(), b.get(i).tokens(), "tokens of batch " + i);
        }
    }

    @Test
    void oneBatchIsDecodedByEveryDecodeThread() {
        TestPools.write(dir, 100, 30);
        Map<String, Integer> rowsByThread = new java.util.concurrent.ConcurrentHashMap<>();
        // each thread's first row waits until 4 threads are decoding at once (a batch in one task never gets there)
        java.util.concurrent.CountDownLatch together = new java.util.concurrent.CountDownLatch(4);
        java.util.concurrent.atomic.AtomicBoolean met = new java.util.concurrent.atomic.AtomicBoolean(true);
        TextTokenizer recording = new TextTokenizer() {
            @Override
            public int[] encode(String text, int contextLength) {
                if (rowsByThread.merge(Thread.currentThread().getName(), 1, Integer::sum) == 1) {
                    together.countDown();
                    try {
                        met.compareAndSet(true, together.await(20, java.util.concurrent.TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return tok.encode(text, contextLength);
            }

            @Override
            public int vocabSize() {
                return tok.vocabSize();
            }

            @Override
            public int eotId() {
                return tok.eotId();
            }
        };
        try (ShardLoader l = ShardLoader.open(dir, null, recording, opts(40, 1).withThreads(4).withSampleLimit(40))) {
            l.next();
        }
        assertTrue(met.get(), "4 threads decoded parts of the one batch at once: " + rowsByThread);
        assertEquals(java.util.Set.of(10), java.util.Set.copyOf(rowsByThread.values()), "4 parts of 10 rows: " + rowsByThread);
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
            assertFalse(java.util.Arrays.equals(one.get(0).pixels(), other.get(0).pixels()), "another seed, another order");
        }
    }

    @Test
    void restoredLoaderContinuesWithExactlyTheBatchesOfAnUninterruptedOne() {
        TestPools.write(dir, 100, 30);
        for (LoaderOptions.Mode mode : LoaderOptions.Mode.values()) {
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
                opts(64, 9).withMode(LoaderOptions.Mode.RESAMPLED).withSampleLimit(1000))) {
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

    /** The uid indices of the first 10 batches of 10 (seed 7, the subset above), as the loader served them before
     * it indexed from tar headers (it read every shard and decode-checked every image first). */
    private static final List<Integer> GOLDEN_EPOCH = List.of(
            0, 26, 38, 23, 22, 7, 8, 33, 35, 2, 31, 37, 5, 27, 25, 38, 21, 32, 11, 11, 14, 29, 2, 13, 35,
            34, 10, 16, 17, 17, 28, 39, 20, 19, 14, 31, 28, 20, 8, 29, 24, 22, 17, 23, 16, 34, 26, 12, 2, 1,
            29, 3, 14, 5, 23, 37, 10, 32, 35, 18, 8, 11, 25, 4, 36, 9, 7, 20, 5, 38, 13, 15, 30, 26, 32,
            1, 19, 4, 6, 17, 36, 23, 14, 5, 16, 33, 23, 20, 29, 31, 38, 26, 8, 32, 7, 25, 28, 10, 31, 25);
    private static final List<Integer> GOLDEN_RESAMPLED = List.of(
            7, 38, 3, 1, 20, 14, 8, 35, 37, 13, 16, 26, 31, 32, 29, 37, 36, 17, 23, 26, 23, 38, 26, 1, 10,
            9, 20, 38, 22, 2, 5, 28, 11, 29, 5, 23, 32, 11, 18, 2, 4, 37, 17, 20, 28, 2, 18, 8, 10, 11,
            8, 35, 17, 35, 34, 34, 30, 9, 1, 8, 35, 6, 20, 14, 2, 24, 32, 10, 3, 22, 8, 22, 35, 16, 11,
            5, 10, 25, 10, 14, 20, 17, 29, 22, 15, 21, 32, 7, 4, 22, 2, 34, 2, 18, 14, 2, 23, 16, 8, 18);

    @Test
    void headerIndexServesTheSameOrderAndBytesAsTheFullReadBefore() throws Exception {
        TestPools.write(dir, 100, 30);
        Map<Uid, WdsSample> full = new HashMap<>();
        ShardReader.forEach(dir, s -> full.put(s.uid(), s)); // every member read in full
        ClipImageTransform transform = new ClipImageTransform(8);
        for (LoaderOptions.Mode mode : LoaderOptions.Mode.values()) {
            try (ShardLoader l = ShardLoader.open(dir, subset(), tok, opts(10, 7).withMode(mode).withThreads(2))) {
                List<Integer> order = new ArrayList<>();
                for (int b = 0; b < 10; b++) {
                    Batch batch = l.next();
                    for (int j = 0; j < batch.size(); j++) {
                        order.add(TestPools.indexInBatch(batch, j));
                        WdsSample s = full.get(l.lastBatchUids().get(j));
                        byte[] expected = new byte[3 * 8 * 8];
                        transform.apply(new ImageCodec().decode(s.member("png")), expected, 0);
                        assertArrayEquals(expected, java.util.Arrays.copyOfRange(batch.pixels(), j * 192, (j + 1) * 192));
                        assertArrayEquals(tok.encode(s.text("txt").strip(), 16),
                                java.util.Arrays.copyOfRange(batch.tokens(), j * 16, (j + 1) * 16));
                    }
                }
                assertEquals(mode == LoaderOptions.Mode.EPOCH ? GOLDEN_EPOCH : GOLDEN_RESAMPLED, order, mode.name());
            }
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
                .withSampleLimit(good.size() + 3))) {
            assertEquals(good.size() + 3, l.epochSize(), "the three bad images are indexed: nothing is decoded first");
            List<Uid> served = new ArrayList<>();
            while (l.hasNext()) {
                l.next();
                served.addAll(l.lastBatchUids());
            }
            assertEquals(new java.util.HashSet<>(good), new java.util.HashSet<>(served), "no bad image is served");
            assertEquals(good.size() + 3, served.size());
            LoaderStats s = l.stats();
            assertEquals(3, s.imagesSkipped(), "each bad image met once in the epoch, each place filled");
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
            assertEquals(good.size() + 3, s.samplesKept());
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
    void anUndecodableImageIsSkippedCountedAndAResumeContinuesBitwiseWithTheCount() {
        byte[] noisy = ImageCodec.encodeJpeg(noise(32, 32), 0.9f);
        Uid bad = TestPools.uid(5);
        try (ShardWriter w = new ShardWriter(dir, 1000, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 0; i < 12; i++) {
                w.write(i == 5 ? with(i, "jpg", java.util.Arrays.copyOf(noisy, noisy.length / 2)) : TestPools.sample(i, 8));
            }
        }
        List<List<Batch>> runs = new ArrayList<>();
        List<LoaderState> mid = new ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            try (ShardLoader l = ShardLoader.open(dir, null, tok, opts(4, 8).withThreads(threads).withSampleLimit(24))) {
                List<Batch> bs = new ArrayList<>();
                Map<Uid, Integer> served = new HashMap<>();
                while (l.hasNext()) {
                    Batch b = l.next();
                    bs.add(b);
                    if (bs.size() == 3) {
                        mid.add(l.state());
                    }
                    for (int j = 0; j < b.size(); j++) {
                        Uid u = l.lastBatchUids().get(j);
                        assertEquals(TestPools.uid(TestPools.indexInBatch(b, j)), u);
                        served.merge(u, 1, Integer::sum);
                    }
                }
                assertFalse(served.containsKey(bad));
                assertEquals(4, served.get(TestPools.uid(6)), "sample 6 stands in for sample 5");
                assertEquals(2, l.stats().imagesSkipped());
                assertEquals(1, l.stats().imagesCorrupt());
                assertEquals(24, l.stats().samplesServed());
                assertEquals(2, l.state().skipped());
                runs.add(bs);
            }
        }
        assertSameBatches(runs.get(0), runs.get(1));
        assertEquals(mid.get(0), mid.get(1));
        try (ShardLoader l = ShardLoader.open(dir, null, tok, opts(4, 8).withThreads(2).withSampleLimit(24))) {
            l.restore(mid.get(0));
            List<Batch> rest = new ArrayList<>();
            while (l.hasNext()) {
                rest.add(l.next());
            }
            assertSameBatches(runs.get(0).subList(3, 6), rest);
            assertEquals(2, l.state().skipped(), "the count goes on from the checkpoint's");
        }
    }

    @Test
    void decodeThreadsDefaultToSlurmsCoresElseTheMachines() {
        assertEquals(6, LoaderOptions.coresOf("6", 64));
        assertEquals(64, LoaderOptions.coresOf(null, 64));
        assertEquals(64, LoaderOptions.coresOf("x", 64));
        assertEquals(64, LoaderOptions.coresOf("0", 64));
    }
}
