package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

class TaskFormatTest {
    @TempDir
    Path dir;

    @Test
    void classificationTaskWrittenThenReadIsEqual() throws Exception {
        byte[] webp = getClass().getResourceAsStream("/images/tiny-lossless.webp").readAllBytes();
        List<String> classes = List.of("red star", "blue circle", "green square");
        List<String> templates = List.of("a photo of a {c}.", "a drawing of the {c}.");
        List<TaskSample> written = new ArrayList<>();
        try (TaskWriter w = TaskWriter.classification(dir, classes, templates, 4)) {
            for (int i = 0; i < 10; i++) {
                TaskSample s = i % 2 == 0
                        ? TaskSample.classification("webp", webp, i % 3)
                        : TaskSample.classification("png", ImageCodec.encodePng(TestPools.solid(5, 5, i)), i % 3);
                w.add(s);
                written.add(s);
            }
        }
        assertEquals("3", Files.readString(dir.resolve("test/nshards.txt")).strip());
        assertEquals("red star\nblue circle\ngreen square\n", Files.readString(dir.resolve("classnames.txt")));
        assertTrue(Files.exists(dir.resolve("test/0.tar")) && Files.exists(dir.resolve("test/2.tar")));
        try (TaskReader r = TaskReader.open(dir)) {
            assertEquals(TaskKind.CLASSIFICATION, r.kind());
            assertEquals(classes, r.classnames());
            assertEquals(templates, r.templates());
            assertEquals(3, r.shardCount());
            int i = 0;
            while (r.hasNext()) {
                TaskSample s = r.next();
                assertEquals(String.format("s%07d", i), s.key());
                assertEquals(written.get(i).imageExt(), s.imageExt());
                assertArrayEquals(written.get(i).image(), s.image());
                assertEquals(written.get(i).label(), s.label());
                i++;
            }
            assertEquals(10, i);
        }
        // the images decode (WebP through the ImageIO plugin)
        try (TaskReader r = TaskReader.open(dir)) {
            assertEquals(6, new ImageCodec().decode(r.next().image()).getWidth());
        }
    }

    @Test
    void retrievalTaskWrittenThenReadIsEqual() throws Exception {
        List<List<String>> captions = List.of(
                List.of("a red star on a striped background", "the star is red", "one red star"),
                List.of("two blue circles"),
                List.of("a small green square in the top left", "green square", "a square", "caf\u00e9 sign", "x"));
        try (TaskWriter w = TaskWriter.retrieval(dir, 10_000)) {
            for (int i = 0; i < captions.size(); i++) {
                w.add(TaskSample.retrieval("jpg", ImageCodec.encodeJpeg(TestPools.solid(8, 8, 0x112233 * i), 0.9f),
                        captions.get(i)));
            }
        }
        try (TaskReader r = TaskReader.open(dir)) {
            assertEquals(TaskKind.RETRIEVAL, r.kind());
            assertEquals(List.of(), r.classnames());
            for (List<String> expected : captions) {
                TaskSample s = r.next();
                assertEquals(expected, s.captions());
                assertEquals("jpg", s.imageExt());
                assertEquals(8, new ImageCodec().decode(s.image()).getWidth());
            }
            assertTrue(!r.hasNext());
        }
    }

    @Test
    void readerNamesTheMissingFile() {
        BadInputException e = assertThrows(BadInputException.class, () -> TaskReader.open(dir));
        assertTrue(e.getMessage().contains("classnames.txt"), e.getMessage());
    }

    @Test
    void labelOutsideTheClassListIsAFormatError() {
        try (TaskWriter w = TaskWriter.classification(dir, List.of("a", "b"), List.of("{c}"), 10)) {
            w.add(TaskSample.classification("png", ImageCodec.encodePng(TestPools.solid(2, 2, 0)), 1));
        }
        try (ShardWriter sw = new ShardWriter(dir.resolve("test"), 10, ShardWriter.Naming.CLIP_BENCHMARK)) {
            sw.write(Map.of("png", ImageCodec.encodePng(TestPools.solid(2, 2, 0)), "cls", "7".getBytes()));
        }
        try (TaskReader r = TaskReader.open(dir)) {
            BadInputException e = assertThrows(BadInputException.class, r::next);
            assertTrue(e.getMessage().contains("label 7"), e.getMessage());
        }
    }
}
