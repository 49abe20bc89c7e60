package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.data.Uid;
import org.qqt.io.Json;
import picocli.CommandLine;

class FilterCommandTest {
    @TempDir
    static Path dir;
    static Path pool;

    @BeforeAll
    static void makePool() {
        List<PoolMetadata.Row> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rows.add(new PoolMetadata.Row(new Uid(i * 31L, i), "a photo of thing " + i, 300, 300, 0.5,
                    Map.of("clip_l14_similarity_score", i / 100.0, "teacher_score", -i / 100.0)));
        }
        pool = dir.resolve("pool.parquet");
        PoolMetadata.write(pool, List.of("clip_l14_similarity_score", "teacher_score"), rows);
    }

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Qqt.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static void assertExit2OneLine(Result r, String mustContain) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(mustContain), r.err());
    }

    @Test
    void decilesAndTopWriteNpysAndManifest() throws Exception {
        Path out = dir.resolve("buckets");
        Result r = run("filter", "--metadata", pool.toString(), "--score", "teacher_score", "--top", "10",
                "--range", "0-10,10-20,20-30,30-40", "--out", out.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode m = Json.readTree(out.resolve("manifest.json"));
        assertEquals(4, m.get("buckets").size(), "top 10 equals range 0-10: written once");
        assertEquals("teacher_score", m.get("scoreColumn").asText());
        assertTrue(m.get("command").asText().startsWith("qqt filter --metadata"));
        assertEquals(11, m.get("buckets").get(0).get("count").asInt()); // thr = desc[10]; 11 rows >= it
        assertEquals(10, m.get("buckets").get(1).get("count").asInt());
        SubsetFile top = SubsetFile.read(out.resolve("top0-10.npy"));
        assertEquals(11, top.size());
        assertTrue(top.contains(new Uid(0, 0)), "teacher_score is highest for row 0");
        assertTrue(Files.exists(out.resolve("top30-40.npy")));
    }

    @Test
    void unknownScoreColumnListsFloatColumns() {
        assertExit2OneLine(run("filter", "--metadata", pool.toString(), "--score", "clip_b32_similarity_score",
                "--top", "10", "--out", dir.resolve("x").toString()),
                "float columns: true_quality, clip_l14_similarity_score, teacher_score");
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void nonFloatColumnIsRejected() {
        assertExit2OneLine(run("filter", "--metadata", pool.toString(), "--score", "text", "--top", "10",
                "--out", dir.resolve("x").toString()), "is VARCHAR, not a float score");
    }

    @Test
    void percentagesOutside0To100AreRejected() {
        assertExit2OneLine(run("filter", "--metadata", pool.toString(), "--score", "teacher_score", "--top", "150",
                "--out", dir.resolve("x").toString()), "--top must be a percentage");
        assertExit2OneLine(run("filter", "--metadata", pool.toString(), "--score", "teacher_score", "--range", "90-110",
                "--out", dir.resolve("x").toString()), "0-100");
        assertExit2OneLine(run("filter", "--metadata", pool.toString(), "--score", "teacher_score", "--top", "10",
                "--random", "0", "--out", dir.resolve("x").toString()), "--random");
    }

    @Test
    void overlappingRangesAreRejected() {
        assertExit2OneLine(run("filter", "--metadata", pool.toString(), "--score", "teacher_score", "--range",
                "0-20,10-30", "--out", dir.resolve("x").toString()), "overlap");
    }

    @Test
    void missingMetadataIsRejected() {
        assertExit2OneLine(run("filter", "--metadata", dir.resolve("absent.parquet").toString(), "--score", "s",
                "--top", "10", "--out", dir.resolve("x").toString()), "no such metadata file");
    }

    @Test
    void noBucketIsRejected() {
        assertExit2OneLine(run("filter", "--metadata", pool.toString(), "--score", "teacher_score",
                "--out", dir.resolve("x").toString()), "--top");
    }
}
