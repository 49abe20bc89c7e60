package org.qqt.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.data.PoolMetadata;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

class WorldWriterTest {
    /** A very small world: 70 pool samples in shards of 32, 20 teacher samples, 3 images per task. */
    static WorldConfig tiny() {
        return new WorldConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, 70, 20, 32, null, new TaskOptions(3, Map.of(), 5)).validated(null);
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    @Test
    @org.junit.jupiter.api.Tag("slow")
    void sameSeedGivesByteIdenticalOutputsWhateverTheThreadCount(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        new WorldWriter(tiny(), 0, 2, null).write(a, false);
        new WorldWriter(tiny(), 0, 1, null).write(b, false);
        List<Path> fa = files(a);
        assertEquals(fa, files(b));
        for (Path f : fa) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f.toString());
        }
        // the layout: 3 pool shards (32+32+6), parquet metadata, teacher, 18 tasks, world.json
        assertTrue(fa.contains(Path.of("pool/shards/00000002.tar")));
        assertFalse(fa.contains(Path.of("pool/shards/00000003.tar")));
        assertTrue(fa.contains(Path.of("pool/metadata.parquet")));
        assertTrue(fa.contains(Path.of("teacher/metadata.parquet")));
        assertTrue(fa.contains(Path.of("world.json")));
        for (String key : EvalTasks.KEYS) {
            assertTrue(fa.contains(Path.of("tasks", key.replace('/', '-'), "test", "nshards.txt")), key);
        }
        try (PoolMetadata m = PoolMetadata.open(a.resolve("pool/metadata.parquet"))) {
            assertEquals(70, m.rowCount());
            assertTrue(m.schema().keySet().containsAll(List.of("uid", "text", "original_width", "original_height",
                    "true_quality", "caption_correct", "is_junk", "is_corrupt", "corruption_kind", "dup_group", "n_objects")),
                    m.schema().toString());
        }
        var world = Json.readTree(a.resolve("world.json"));
        assertEquals(70, world.get("counts").get("pool_samples").asInt());
        assertEquals(18, world.get("tasks").size());
    }

    @Test
    void differentSeedsGiveDifferentShards(@TempDir Path dir) throws Exception {
        new WorldWriter(tiny(), 0, 2, null).write(dir.resolve("a"), false);
        new WorldWriter(tiny(), 1, 2, null).write(dir.resolve("b"), false);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a/pool/shards/00000000.tar")),
                Files.readAllBytes(dir.resolve("b/pool/shards/00000000.tar"))));
    }

    @Test
    void metadataOnlyWritesNoImages(@TempDir Path dir) throws Exception {
        new WorldWriter(tiny(), 0, 2, null).write(dir, true);
        List<Path> f = files(dir);
        assertTrue(f.contains(Path.of("pool/metadata.parquet")));
        assertTrue(f.stream().noneMatch(p -> p.toString().endsWith(".tar")), f.toString());
        PoolGenerator g = new PoolGenerator(tiny(), 0);
        try (PoolMetadata m = PoolMetadata.open(dir.resolve("pool/metadata.parquet"))) {
            Map<org.qqt.data.Uid, Double> q = m.readScores("true_quality");
            Map<org.qqt.data.Uid, Double> junk = m.readScores("is_junk");
            Map<org.qqt.data.Uid, Double> dup = m.readScores("dup_group");
            assertEquals(70, q.size());
            for (int i = 0; i < 70; i++) {
                PoolSample s = g.pool(i);
                org.qqt.data.Uid uid = org.qqt.data.Uid.parse(s.uid());
                assertEquals(s.trueQuality(), q.get(uid), 1e-6);
                assertEquals(s.junk() ? 1.0 : 0.0, junk.get(uid));
                assertEquals(s.dupGroup(), dup.get(uid));
            }
        }
        try (PoolMetadata m = PoolMetadata.open(dir.resolve("teacher/metadata.parquet"))) {
            assertTrue(m.readScores("true_quality").values().stream().allMatch(v -> v == 1.0));
        }
    }

    @Test
    void refusesANonEmptyDirectoryItDidNotWrite(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("precious.txt"), "keep me");
        assertThrows(BadInputException.class, () -> new WorldWriter(tiny(), 0, 2, null).write(dir, true));
        assertTrue(Files.exists(dir.resolve("precious.txt")));
    }
}
