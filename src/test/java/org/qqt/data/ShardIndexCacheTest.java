package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header index kept between starts: the same index as the tars give, and never trusted when not current. */
class ShardIndexCacheTest {
    private final FakeTokenizer tok = new FakeTokenizer();

    /** 4 shards of 10; sample 13 has a Latin-1 caption, sample 25 no caption, in a subset with repeats. */
    private static Path pool(Path dir) {
        Path shards = dir.resolve("shards");
        try (ShardWriter w = new ShardWriter(shards, 10, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 0; i < 40; i++) {
                Map<String, byte[]> s = TestPools.sample(i, 8);
                if (i == 13) {
                    s.put("txt", "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
                }
                if (i == 25) {
                    s.remove("txt");
                }
                w.write(s);
            }
        }
        return shards;
    }

    private static Map<Uid, Integer> subset() {
        Map<Uid, Integer> m = new HashMap<>();
        for (int i = 0; i < 40; i += 1 + i % 2) {
            m.put(TestPools.uid(i), 1 + i % 3);
        }
        return m;
    }

    private record Opened(LoaderStats stats, int fromCache, List<Batch> batches) {}

    private Opened open(Path shards, Path cache) {
        LoaderOptions o = LoaderOptions.of(8, 16, 6, 3).withThreads(2).withIndexCache(cache);
        try (ShardLoader l = ShardLoader.open(shards, subset(), tok, o)) {
            LoaderStats s = l.stats();
            List<Batch> b = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                b.add(l.next());
            }
            return new Opened(s, l.shardsIndexedFromCache(), b);
        }
    }

    private static void assertSame(Opened want, Opened got) {
        assertEquals(want.stats(), got.stats());
        for (int i = 0; i < want.batches().size(); i++) {
            assertArrayEquals(want.batches().get(i).pixels(), got.batches().get(i).pixels(), "batch " + i);
            assertArrayEquals(want.batches().get(i).tokens(), got.batches().get(i).tokens(), "batch " + i);
        }
    }

    @Test
    void aCachedIndexGivesTheSameStatsAndBatchesAsTheTarHeaders(@TempDir Path dir) {
        Path shards = pool(dir);
        Opened plain = open(shards, null);
        assertEquals(1, plain.stats().captionsRepaired());
        assertEquals(1, plain.stats().missingText());
        Path cache = dir.resolve("run/shard-index");
        Opened first = open(shards, cache);
        assertEquals(0, first.fromCache());
        assertSame(plain, first);
        Opened second = open(shards, cache);
        assertEquals(4, second.fromCache(), "every shard from its cache file");
        assertSame(plain, second);
    }

    @Test
    void aCorruptOrCutCacheFileIsRebuiltFromTheTar(@TempDir Path dir) throws Exception {
        Path shards = pool(dir);
        Path cache = dir.resolve("cache");
        Opened plain = open(shards, cache);
        List<Path> files = ShardReader.listShards(shards);
        Path flipped = ShardIndex.cacheFile(cache, files.get(0));
        byte[] b = Files.readAllBytes(flipped);
        b[b.length / 2] ^= 0x40; // a uid bit: only the checksum can tell
        Files.write(flipped, b);
        Path cut = ShardIndex.cacheFile(cache, files.get(1));
        byte[] c = Files.readAllBytes(cut);
        Files.write(cut, java.util.Arrays.copyOf(c, c.length - 30));
        Files.writeString(ShardIndex.cacheFile(cache, files.get(2)), "not an index");

        Opened again = open(shards, cache);
        assertEquals(1, again.fromCache(), "only the intact file is used");
        assertSame(plain, again);
        assertArrayEquals(c, Files.readAllBytes(cut), "rewritten as before");
        assertEquals(4, open(shards, cache).fromCache());
    }

    @Test
    void aShardChangedSinceItsCacheIsIndexedAgain(@TempDir Path dir) throws Exception {
        Path shards = pool(dir);
        Path cache = dir.resolve("cache");
        Opened before = open(shards, cache);
        Path last = ShardReader.listShards(shards).get(3);
        FileTime modified = Files.getLastModifiedTime(last);
        // the same size and name, other content (sample 31's uid zeroed): only the modification time tells
        byte[] tar = Files.readAllBytes(last);
        String hex = TestPools.uid(31).hex();
        String text = new String(tar, StandardCharsets.ISO_8859_1);
        int at = text.indexOf(hex);
        byte[] zeros = "0".repeat(32).getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(zeros, 0, tar, at, 32);
        Files.write(last, tar);
        Files.setLastModifiedTime(last, FileTime.fromMillis(modified.toMillis() + 5000));

        Opened plain = open(shards, null);
        Opened cached = open(shards, cache);
        assertEquals(3, cached.fromCache());
        assertSame(plain, cached);
        assertEquals(before.stats().samplesKept() - 1, plain.stats().samplesKept(), "sample 31 left the subset");
        assertNull(ShardHeaders.load(ShardIndex.cacheFile(cache, last), ShardReader.listShards(shards).get(0)),
                "a cache file is never taken for another shard");
    }
}
