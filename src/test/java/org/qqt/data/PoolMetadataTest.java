package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.testutil.Parquet;
import org.qqt.io.BadInputException;

class PoolMetadataTest {
    static Uid uid(int i) {
        return new Uid(0x9e3779b97f4a7c15L * (i + 1), i);
    }

    static List<PoolMetadata.Row> rows(int n) {
        List<PoolMetadata.Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Double> scores = new LinkedHashMap<>();
            scores.put("clip_b32_similarity_score", i / 100.0);
            if (i % 3 != 0) {
                scores.put("clip_l14_similarity_score", -i / 10.0);
            }
            rows.add(new PoolMetadata.Row(uid(i), "caption number " + i, 200 + i, 300, 0.5, scores));
        }
        return rows;
    }

    @Test
    void writtenPoolReadsBackWithSchemaFloatColumnsAndScores(@TempDir Path dir) {
        Path file = dir.resolve("pool.parquet");
        PoolMetadata.write(file, List.of("clip_b32_similarity_score", "clip_l14_similarity_score"), rows(10));
        try (PoolMetadata pool = PoolMetadata.open(file)) {
            assertEquals(List.of("uid", "text", "original_width", "original_height", "true_quality",
                    "clip_b32_similarity_score", "clip_l14_similarity_score"), List.copyOf(pool.schema().keySet()));
            assertEquals("VARCHAR", pool.schema().get("uid"));
            assertEquals("BIGINT", pool.schema().get("original_width"));
            assertEquals(List.of("true_quality", "clip_b32_similarity_score", "clip_l14_similarity_score"),
                    pool.floatColumns());
            assertEquals(10, pool.rowCount());
            assertEquals(java.util.stream.IntStream.range(0, 10).mapToObj(PoolMetadataTest::uid).toList(), pool.uids());
            Map<Uid, Double> b32 = pool.readScores("clip_b32_similarity_score");
            assertEquals(10, b32.size());
            assertEquals(0.07f, b32.get(uid(7)).floatValue());
            Map<Uid, Double> l14 = pool.readScores("clip_l14_similarity_score");
            assertEquals(6, l14.size(), "nulls are skipped");
            assertFalse(l14.containsKey(uid(3)));
        }
    }

    @Test
    void addingAColumnKeepsRowOrderAndOtherColumnsAndReplacingKeepsPosition(@TempDir Path dir) {
        Path file = dir.resolve("pool.parquet");
        PoolMetadata.write(file, List.of("clip_b32_similarity_score"), rows(50));
        Map<Uid, Double> teacher = new LinkedHashMap<>();
        for (int i = 49; i >= 1; i--) { // reverse order, uid(0) missing
            teacher.put(uid(i), i * 2.0);
        }
        PoolMetadata.withScoreColumn(file, "teacher_score", teacher);
        try (PoolMetadata pool = PoolMetadata.open(file)) {
            assertEquals("teacher_score", List.copyOf(pool.schema().keySet()).get(6));
            assertEquals("FLOAT", pool.schema().get("teacher_score"));
            assertEquals(java.util.stream.IntStream.range(0, 50).mapToObj(PoolMetadataTest::uid).toList(), pool.uids());
            Map<Uid, Double> got = pool.readScores("teacher_score");
            assertEquals(49, got.size());
            assertEquals(84.0, got.get(uid(42)));
            assertNull(got.get(uid(0)));
            assertEquals(0.42f, pool.readScores("clip_b32_similarity_score").get(uid(42)).floatValue());
        }
        PoolMetadata.withScoreColumn(file, "clip_b32_similarity_score", Map.of(uid(1), 9.0));
        try (PoolMetadata pool = PoolMetadata.open(file)) {
            assertEquals("clip_b32_similarity_score", List.copyOf(pool.schema().keySet()).get(5));
            assertEquals(Map.of(uid(1), 9.0), pool.readScores("clip_b32_similarity_score"));
            assertEquals(50, pool.rowCount());
        }
        try (var list = Files.list(dir)) {
            assertEquals(List.of(file), list.toList(), "no temp files left");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void directoryOfParquetsIsOnePool(@TempDir Path dir) {
        PoolMetadata.write(dir.resolve("00000000.parquet"), List.of("s"), rows(5));
        PoolMetadata.write(dir.resolve("00000001.parquet"), List.of("s"), rows(3));
        try (PoolMetadata pool = PoolMetadata.open(dir)) {
            assertEquals(2, pool.files().size());
            assertEquals(8, pool.rowCount());
        }
    }

    @Test
    void badColumnsAndMissingFilesAreOneLineBadInput(@TempDir Path dir) {
        Path file = dir.resolve("pool.parquet");
        PoolMetadata.write(file, List.of("clip_b32_similarity_score"), rows(3));
        try (PoolMetadata pool = PoolMetadata.open(file)) {
            BadInputException e = assertThrows(BadInputException.class, () -> pool.floatColumn("nope"));
            assertTrue(e.getMessage().contains("float columns: true_quality, clip_b32_similarity_score"), e.getMessage());
            e = assertThrows(BadInputException.class, () -> pool.floatColumn("text"));
            assertTrue(e.getMessage().contains("is VARCHAR"), e.getMessage());
            assertEquals("\"a\"\"b\"", PoolMetadata.quote("a\"b"));
        }
        assertThrows(BadInputException.class, () -> PoolMetadata.open(dir.resolve("absent.parquet")));
        assertThrows(BadInputException.class, () -> PoolMetadata.open(dir.resolve("empty-dir-does-not-exist")));
        assertThrows(BadInputException.class, () -> PoolMetadata.withScoreColumn(file, "x; DROP", Map.of()));
    }

    @Test
    void partsCoverEveryRowOfEveryFileOnceInWholeRowGroups(@TempDir Path dir) throws Exception {
        long[] sizes = {10_000, 2_500};
        for (int f = 0; f < sizes.length; f++) {
            Parquet.write(dir.resolve("part-" + f + ".parquet"), "SELECT md5(i::VARCHAR) AS uid, i::FLOAT AS score FROM "
                    + "range(" + sizes[f] + ") t(i)", ", ROW_GROUP_SIZE 1000");
        }
        try (PoolMetadata pool = PoolMetadata.open(dir)) {
            java.util.Set<String> groupStarts = new java.util.HashSet<>(); // "file@row" of every row group
            try (java.sql.PreparedStatement ps = pool.prepare("SELECT file_name, sum(row_group_num_rows) OVER "
                    + "(PARTITION BY file_name ORDER BY row_group_id) - row_group_num_rows FROM parquet_metadata("
                    + "getvariable('qqt_pool_files')) WHERE column_id = 0"); java.sql.ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    groupStarts.add(r.getString(1) + "@" + r.getLong(2));
                }
            }
            assertTrue(groupStarts.size() >= 4, "several row groups: " + groupStarts);
            for (int count : new int[] {1, 3, 8, 100}) {
                List<PoolMetadata.Part> parts = pool.parts(count);
                Map<String, Long> next = new LinkedHashMap<>();
                for (PoolMetadata.Part p : parts) {
                    assertEquals(next.getOrDefault(p.file(), 0L), p.fromRow(), "parts are contiguous: " + parts);
                    assertTrue(p.toRow() > p.fromRow(), p.toString());
                    assertTrue(groupStarts.contains(p.file() + "@" + p.fromRow()), "a part starts at a row group: " + p);
                    next.put(p.file(), p.toRow());
                }
                assertEquals(List.of(sizes[0], sizes[1]), new ArrayList<>(next.values()), "count " + count);
                assertTrue(parts.size() >= Math.min(count, 2) && parts.size() <= Math.max(count, 2) + 1,
                        count + " asked, " + parts.size() + " parts");
                // the parts, scanned as the parallel filter scans them, give back every uid once
                long rows = 0;
                for (PoolMetadata.Part p : parts) {
                    try (java.sql.PreparedStatement ps = pool.prepare("SELECT count(DISTINCT uid) FROM "
                            + "read_parquet(?, file_row_number = true) WHERE file_row_number >= ? AND file_row_number < ?")) {
                        ps.setString(1, p.file());
                        ps.setLong(2, p.fromRow());
                        ps.setLong(3, p.toRow());
                        try (java.sql.ResultSet r = ps.executeQuery()) {
                            r.next();
                            rows += r.getLong(1);
                        }
                    }
                }
                assertEquals(sizes[0] + sizes[1], rows);
            }
        }
    }
}
