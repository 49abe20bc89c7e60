package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qqt.cli.CliRun.qqt;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.data.ImageCodec;
import org.qqt.data.PoolMetadata;
import org.qqt.data.ShardWriter;
import org.qqt.data.Uid;

class ScoreCommandTest {
    private static final int N = 13;
    private static final int CORRUPT = 5;

    static Uid uid(int i) {
        return new Uid(0x1234_0000_0000_0000L | i, 0xbeefL * (i + 1));
    }

    /** A pool of N samples in shards of 4; sample CORRUPT has truncated JPEG bytes. */
    static Path pool(Path dir) {
        Path pool = dir.resolve("pool");
        List<PoolMetadata.Row> rows = new ArrayList<>();
        try (ShardWriter w = new ShardWriter(pool.resolve("shards"), 4, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 0; i < N; i++) {
                int c = i % 3;
                String caption = "a " + EvalFixtures.COLOURS.get(c) + " thing";
                Map<String, byte[]> m = new LinkedHashMap<>();
                byte[] img = ImageCodec.encodePng(EvalFixtures.solid(24 + i, EvalFixtures.RGB[c], i));
                m.put(i == CORRUPT ? "jpg" : "png", i == CORRUPT ? new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3} : img);
                m.put("txt", caption.getBytes(StandardCharsets.UTF_8));
                m.put("json", ("{\"uid\": \"" + uid(i).hex() + "\"}").getBytes(StandardCharsets.UTF_8));
                w.write(m);
                rows.add(new PoolMetadata.Row(uid(i), caption, 24 + i, 24 + i, i / (double) N, Map.of()));
            }
        }
        PoolMetadata.write(pool.resolve("metadata.parquet"), List.of(), rows);
        return pool;
    }

    @Test
    void writesOneFiniteScorePerDecodableSampleAndNanForACorruptImage(@TempDir Path dir) throws Exception {
        Path run = EvalFixtures.trainRun(dir, "teacher", Path.of("models/tiny.json"));
        Path pool = pool(dir);
        CliRun r = qqt("score", "--pool", pool.toString(), "--teacher", run.toString(), "--batch", "5",
                "--device", "cpu", "--report");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 undecodable"), r.out());
        assertTrue(r.out().contains("Spearman"), r.out());
        Map<Uid, Double> scores;
        try (PoolMetadata m = PoolMetadata.open(pool.resolve("metadata.parquet"))) {
            assertEquals(N, m.rowCount());
            scores = m.readScores("teacher_score");
            assertEquals(N, m.readScores("true_quality").size(), "other columns kept");
        }
        assertEquals(N, scores.size());
        for (int i = 0; i < N; i++) {
            double v = scores.get(uid(i));
            if (i == CORRUPT) {
                assertTrue(Double.isNaN(v), "corrupt image scores NaN, got " + v);
            } else {
                assertTrue(Double.isFinite(v) && v >= -1.0001 && v <= 1.0001, "sample " + i + ": " + v);
            }
        }
        // same teacher, other batch size: same scores; the column is replaced, not added twice
        CliRun again = qqt("score", "--pool", pool.toString(), "--teacher", run.toString(), "--batch", "2",
                "--device", "cpu");
        assertEquals(0, again.code(), again.err());
        try (PoolMetadata m = PoolMetadata.open(pool.resolve("metadata.parquet"))) {
            Map<Uid, Double> s2 = m.readScores("teacher_score");
            for (int i = 0; i < N; i++) {
                if (i != CORRUPT) {
                    assertEquals(scores.get(uid(i)), s2.get(uid(i)), 1e-5);
                }
            }
            assertEquals(1, m.schema().keySet().stream().filter(k -> k.equals("teacher_score")).count());
        }
    }

    @Test
    void failedScoringLeavesTheOldMetadataIntact(@TempDir Path dir) throws Exception {
        Path run = EvalFixtures.trainRun(dir, "teacher", Path.of("models/tiny.json"));
        Path pool = pool(dir);
        byte[] before = Files.readAllBytes(pool.resolve("metadata.parquet"));
        CliRun r = qqt("score", "--pool", pool.toString(), "--teacher", run.toString(), "--column",
                "bad-name", "--device", "cpu");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("bad-name"), r.err());
        assertArrayEquals(before, Files.readAllBytes(pool.resolve("metadata.parquet")));
        try (var files = Files.list(pool)) {
            assertEquals(2, files.count(), "no temp file left beside the metadata");
        }
    }
}
