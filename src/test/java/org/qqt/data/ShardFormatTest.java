package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardFormatTest {
    @TempDir
    Path dir;

    @Test
    void shardsWrittenThenReadGiveEveryMemberByteForByte() throws IOException {
        List<Map<String, byte[]>> written = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        try (ShardWriter w = new ShardWriter(dir, 10, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 0; i < 25; i++) {
                Map<String, byte[]> m = TestPools.sample(i, 4 + i % 5);
                written.add(m);
                keys.add(w.write(m));
            }
            assertEquals(25, w.samplesWritten());
        }
        assertEquals("000000000000", keys.get(0));
        assertEquals("000000010004", keys.get(14));
        assertEquals(List.of("00000000.tar", "00000001.tar", "00000002.tar"),
                ShardReader.listShards(dir).stream().map(p -> p.getFileName().toString()).toList());
        assertEquals("{\"successes\": 10}", Files.readString(dir.resolve("00000001_stats.json")).strip());
        assertEquals("{\"successes\": 5}", Files.readString(dir.resolve("00000002_stats.json")).strip());
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temp files left behind");
        }

        List<WdsSample> read = ShardReader.readAll(dir);
        assertEquals(25, read.size());
        for (int i = 0; i < 25; i++) {
            WdsSample s = read.get(i);
            assertEquals(keys.get(i), s.key());
            assertEquals(List.copyOf(written.get(i).keySet()), List.copyOf(s.members().keySet()), "member order");
            for (String ext : written.get(i).keySet()) {
                assertArrayEquals(written.get(i).get(ext), s.member(ext), ext + " of sample " + i);
                // offsets point at the member's data in the shard file
                byte[] back = new byte[s.member(ext).length];
                try (FileChannel ch = FileChannel.open(s.shard())) {
                    ch.read(java.nio.ByteBuffer.wrap(back), s.offsets().get(ext));
                }
                assertArrayEquals(s.member(ext), back, "offset of " + ext + " in sample " + i);
            }
        }
    }

    @Test
    void equalInputGivesByteIdenticalShards() throws IOException {
        TestPools.write(dir.resolve("a"), 7, 10);
        TestPools.write(dir.resolve("b"), 7, 10);
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/00000000.tar")), Files.readAllBytes(dir.resolve("b/00000000.tar")));
    }

    @Test
    void truncatedShardStopsThereAndReadingGoesOnWithTheNextShard() throws IOException {
        TestPools.write(dir, 30, 10);
        Path mid = dir.resolve("00000001.tar");
        long size = Files.size(mid);
        try (FileChannel ch = FileChannel.open(mid, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        List<WdsSample> read = new ArrayList<>();
        ReadStats stats = ShardReader.forEach(dir, read::add);
        assertEquals(3, stats.shards());
        assertEquals(1, stats.shardsCorrupt());
        List<String> keys = read.stream().map(WdsSample::key).toList();
        for (int i = 0; i < 10; i++) {
            assertTrue(keys.contains(String.format("%08d%04d", 0, i)));
            assertTrue(keys.contains(String.format("%08d%04d", 2, i)));
        }
        long fromMid = keys.stream().filter(k -> k.startsWith("00000001")).count();
        assertTrue(fromMid > 0 && fromMid < 10, "some complete samples before the cut are kept: " + fromMid);
        assertEquals(20 + fromMid, stats.samples());
        // every sample returned is complete
        for (WdsSample s : read) {
            assertEquals(3, s.members().size(), s.key());
        }
    }

    @Test
    void emptyAndGarbageShardsAreSkippedAndCounted() throws IOException {
        TestPools.write(dir, 10, 5);
        Files.write(dir.resolve("00000002.tar"), new byte[0]);
        byte[] junk = new byte[3000];
        new java.util.Random(1).nextBytes(junk);
        Files.write(dir.resolve("00000003.tar"), junk);
        ReadStats stats = ShardReader.forEach(dir, s -> { });
        assertEquals(4, stats.shards());
        assertEquals(1, stats.shardsEmpty());
        assertEquals(1, stats.shardsCorrupt());
        assertEquals(10, stats.samples());
    }

    @Test
    void shardsAreReadInNumericNameOrder() throws IOException {
        try (ShardWriter w = new ShardWriter(dir, 1, ShardWriter.Naming.CLIP_BENCHMARK)) {
            for (int i = 0; i < 12; i++) {
                w.write(Map.of("cls", Integer.toString(i).getBytes()));
            }
        }
        List<String> keys = ShardReader.readAll(dir).stream().map(WdsSample::key).toList();
        assertEquals(12, keys.size());
        for (int i = 0; i < 12; i++) {
            assertEquals(String.format("s%07d", i), keys.get(i));
        }
    }

    @Test
    void keyIsTheNameUpToTheFirstDotOfTheBaseName() {
        assertArrayEquals(new String[] {"000000010042", "jpg"}, ShardReader.splitName("000000010042.jpg"));
        assertArrayEquals(new String[] {"a.b/c", "seg.png"}, ShardReader.splitName("a.b/c.seg.png"));
        assertArrayEquals(new String[] {"noext", ""}, ShardReader.splitName("noext"));
    }
}
